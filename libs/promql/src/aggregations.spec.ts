/** Aggregation operators with by/without, topk/bottomk, quantile, count_values. */
import { queryInstant, queryRange } from './query';
import { SEC, instantVector, sourceOf } from './spec-helpers';

const source = sourceOf([
  [{ __name__: 'http_requests', job: 'api', instance: '1', group: 'production' }, [[0, 100]]],
  [{ __name__: 'http_requests', job: 'api', instance: '2', group: 'production' }, [[0, 200]]],
  [{ __name__: 'http_requests', job: 'api', instance: '3', group: 'canary' }, [[0, 300]]],
  [{ __name__: 'http_requests', job: 'db', instance: '1', group: 'production' }, [[0, 400]]],
  [{ __name__: 'http_requests', job: 'db', instance: '2', group: 'canary' }, [[0, 600]]],
]);
const T = 10 * SEC;

describe('aggregation operators', () => {
  it('sum by keeps only the grouping labels', async () => {
    await expect(instantVector('sum by (job) (http_requests)', T, source)).resolves.toEqual({ '{job="api"}': 600, '{job="db"}': 1000 });
  });

  it('the grouping may follow the expression', async () => {
    await expect(instantVector('sum(http_requests) by (group)', T, source)).resolves.toEqual({ '{group="production"}': 700, '{group="canary"}': 900 });
  });

  it('without drops the listed labels and the metric name', async () => {
    await expect(instantVector('avg without (instance, group) (http_requests)', T, source)).resolves.toEqual({ '{job="api"}': 200, '{job="db"}': 500 });
  });

  it('without a grouping everything is one group', async () => {
    await expect(instantVector('sum(http_requests)', T, source)).resolves.toEqual({ '{}': 1600 });
    await expect(instantVector('count(http_requests)', T, source)).resolves.toEqual({ '{}': 5 });
    await expect(instantVector('min(http_requests)', T, source)).resolves.toEqual({ '{}': 100 });
    await expect(instantVector('max(http_requests)', T, source)).resolves.toEqual({ '{}': 600 });
    await expect(instantVector('group(http_requests)', T, source)).resolves.toEqual({ '{}': 1 });
  });

  it('stddev and stdvar are population statistics', async () => {
    // api: 100, 200, 300 → mean 200, variance (10000 + 0 + 10000) / 3.
    await expect(instantVector('stdvar by (job) (http_requests)', T, source)).resolves.toEqual({ '{job="api"}': 20000 / 3, '{job="db"}': 10000 });
    const res = await instantVector('stddev by (job) (http_requests)', T, source);
    expect(res['{job="db"}']).toBe(100);
  });

  it('quantile interpolates between the ranks of the group', async () => {
    // 100, 200, 300, 400, 600: rank 0.9 × 4 = 3.6 → 400 × 0.4 + 600 × 0.6.
    await expect(instantVector('quantile(0.9, http_requests)', T, source)).resolves.toEqual({ '{}': 400 * 0.4 + 600 * 0.6 });
  });

  it('topk keeps the k largest series per group with all their labels, in order', async () => {
    const res = await queryInstant('topk by (job) (1, http_requests)', T, source);
    // Groups come in the order of their first series in label order ({group="canary",instance="2",job="db"} first).
    expect(res).toEqual({
      resultType: 'vector',
      result: [
        { metric: { __name__: 'http_requests', job: 'db', instance: '2', group: 'canary' }, value: [10, '600'] },
        { metric: { __name__: 'http_requests', job: 'api', instance: '3', group: 'canary' }, value: [10, '300'] },
      ],
    });
    const top2 = await queryInstant('topk(2, http_requests)', T, source);
    expect(top2.resultType === 'vector' && top2.result.map((s) => s.value[1])).toEqual(['600', '400']);
  });

  it('bottomk keeps the k smallest series', async () => {
    const res = await queryInstant('bottomk(2, http_requests)', T, source);
    expect(res.resultType === 'vector' && res.result.map((s) => s.value[1])).toEqual(['100', '200']);
  });

  it('count_values counts series per value', async () => {
    const src = sourceOf([
      [{ __name__: 'version', instance: 'a' }, [[0, 2]]],
      [{ __name__: 'version', instance: 'b' }, [[0, 2]]],
      [{ __name__: 'version', instance: 'c' }, [[0, 1.5]]],
    ]);
    await expect(instantVector('count_values("v", version)', T, src)).resolves.toEqual({ '{v="2"}': 2, '{v="1.5"}': 1 });
  });

  it('aggregates every step of a range query', async () => {
    const src = sourceOf([
      [{ __name__: 'x', service: 'a' }, [[0, 1], [60, 2]]],
      [{ __name__: 'x', service: 'a', pod: '2' }, [[60, 10]]],
      [{ __name__: 'x', service: 'b' }, [[0, 5]]],
    ]);
    const res = await queryRange('sum by (service) (x)', 0, 60 * SEC, 60 * SEC, src);
    expect(res.result).toEqual([
      {
        metric: { service: 'a' },
        values: [
          [0, '1'],
          [60, '12'],
        ],
      },
      {
        metric: { service: 'b' },
        values: [
          [0, '5'],
          [60, '5'],
        ],
      },
    ]);
  });
});
