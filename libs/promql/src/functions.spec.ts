/** Instant-vector functions: histogram_quantile, label_replace/label_join, absent, conversions, math. */
import { queryInstant, queryRange } from './query';
import { SEC, instantValue, instantVector, sourceOf } from './spec-helpers';

const T = 10 * SEC;

describe('histogram_quantile (classic buckets)', () => {
  // Cumulative counts per upper bound: 10 ≤ 0.1, 30 ≤ 0.5, 45 ≤ 1, 50 in total.
  const source = sourceOf([
    [{ __name__: 'latency_bucket', job: 'api', le: '0.1' }, [[0, 10]]],
    [{ __name__: 'latency_bucket', job: 'api', le: '0.5' }, [[0, 30]]],
    [{ __name__: 'latency_bucket', job: 'api', le: '1' }, [[0, 45]]],
    [{ __name__: 'latency_bucket', job: 'api', le: '+Inf' }, [[0, 50]]],
    // Not monotonic (1 → 20 < 30): Prometheus lifts the dip to 30.
    [{ __name__: 'latency_bucket', job: 'db', le: '0.1' }, [[0, 10]]],
    [{ __name__: 'latency_bucket', job: 'db', le: '0.5' }, [[0, 30]]],
    [{ __name__: 'latency_bucket', job: 'db', le: '1' }, [[0, 20]]],
    [{ __name__: 'latency_bucket', job: 'db', le: '2' }, [[0, 40]]],
    [{ __name__: 'latency_bucket', job: 'db', le: '+Inf' }, [[0, 40]]],
  ]);

  it('interpolates linearly inside the bucket holding the rank', async () => {
    // rank 0.5 × 50 = 25 falls into (0.1, 0.5]: 0.1 + (0.5 - 0.1) × (25 - 10) / (30 - 10).
    await expect(instantVector('histogram_quantile(0.5, latency_bucket{job="api"})', T, source)).resolves.toEqual({ '{job="api"}': 0.1 + (0.5 - 0.1) * (15 / 20) });
  });

  it('assumes a lower bound of 0 for the first bucket', async () => {
    // rank 5 in (0, 0.1]: 0 + 0.1 × 5/10.
    await expect(instantValue('histogram_quantile(0.1, latency_bucket{job="api"})', T, source)).resolves.toBe(0.1 * (5 / 10));
  });

  it('answers the highest finite bound when the rank falls into the +Inf bucket', async () => {
    // rank 47.5 > 45.
    await expect(instantValue('histogram_quantile(0.95, latency_bucket{job="api"})', T, source)).resolves.toBe(1);
  });

  it('forces monotonic bucket counts', async () => {
    // Counts become 10, 30, 30, 40, 40. rank 0.8 × 40 = 32 falls into (1, 2]: 1 + 1 × (32 - 30) / (40 - 30).
    await expect(instantValue('histogram_quantile(0.8, latency_bucket{job="db"})', T, source)).resolves.toBe(1 + (2 - 1) * (2 / 10));
    // rank 30 is reached at le="0.5" already.
    await expect(instantValue('histogram_quantile(0.75, latency_bucket{job="db"})', T, source)).resolves.toBe(0.5);
  });

  it('handles out-of-range quantiles like Prometheus', async () => {
    await expect(instantValue('histogram_quantile(-1, latency_bucket{job="api"})', T, source)).resolves.toBe(-Infinity);
    await expect(instantValue('histogram_quantile(2, latency_bucket{job="api"})', T, source)).resolves.toBe(Infinity);
  });

  it('groups buckets by their other labels and drops le and the name', async () => {
    const res = await instantVector('histogram_quantile(0.5, latency_bucket)', T, source);
    expect(Object.keys(res).sort()).toEqual(['{job="api"}', '{job="db"}']);
  });

  it('is NaN without a +Inf bucket', async () => {
    const src = sourceOf([[{ __name__: 'h_bucket', le: '1' }, [[0, 1]]]]);
    await expect(queryInstant('histogram_quantile(0.5, h_bucket)', T, src)).resolves.toEqual({ resultType: 'vector', result: [{ metric: {}, value: [10, 'NaN'] }] });
  });
});

describe('label functions', () => {
  const source = sourceOf([
    [{ __name__: 'svc', service: 'checkout-eu', team: 'a' }, [[0, 1]]],
    [{ __name__: 'svc', service: 'search', team: 'b' }, [[0, 2]]],
  ]);

  it('label_replace writes the expansion where the regex matches the source label', async () => {
    await expect(instantVector('label_replace(svc, "region", "${2}-$1", "service", "(.*)-(.*)")', T, source)).resolves.toEqual({
      '{__name__="svc",region="eu-checkout",service="checkout-eu",team="a"}': 1,
      '{__name__="svc",service="search",team="b"}': 2,
    });
  });

  it('label_replace anchors the regex and can delete a label with an empty replacement', async () => {
    await expect(instantVector('label_replace(svc, "team", "", "service", "search")', T, source)).resolves.toEqual({
      '{__name__="svc",service="checkout-eu",team="a"}': 1,
      '{__name__="svc",service="search"}': 2,
    });
    await expect(instantVector('label_replace(svc, "x", "y", "service", "check")', T, source)).resolves.toEqual({
      '{__name__="svc",service="checkout-eu",team="a"}': 1,
      '{__name__="svc",service="search",team="b"}': 2,
    });
  });

  it('label_replace fails when it makes two series identical', async () => {
    await expect(queryInstant('label_replace(svc, "service", "", "service", ".*")', T, source)).resolves.toBeDefined();
    await expect(queryInstant('label_replace(label_replace(svc, "service", "", "service", ".*"), "team", "", "team", ".*")', T, source)).rejects.toMatchObject({
      type: 'execution',
    });
  });

  it('label_join joins source labels with a separator', async () => {
    await expect(instantVector('label_join(svc{team="a"}, "id", "/", "team", "service")', T, source)).resolves.toEqual({
      '{__name__="svc",id="a/checkout-eu",service="checkout-eu",team="a"}': 1,
    });
  });
});

describe('other functions', () => {
  const source = sourceOf([
    [{ __name__: 'temp', room: 'a' }, [[0, -2.5], [5, 3.7]]],
    [{ __name__: 'temp', room: 'b' }, [[0, 12.25]]],
  ]);

  it('absent returns 1 with the equality matchers as labels only when nothing matches', async () => {
    await expect(instantVector('absent(temp{room="c", floor=~"1.*"})', T, source)).resolves.toEqual({ '{room="c"}': 1 });
    await expect(instantVector('absent(temp)', T, source)).resolves.toEqual({});
  });

  it('scalar, vector and time convert between types', async () => {
    await expect(queryInstant('scalar(temp{room="b"})', T, source)).resolves.toEqual({ resultType: 'scalar', result: [10, '12.25'] });
    await expect(queryInstant('scalar(temp)', T, source)).resolves.toEqual({ resultType: 'scalar', result: [10, 'NaN'] });
    await expect(instantVector('vector(time())', T, source)).resolves.toEqual({ '{}': 10 });
  });

  it('timestamp of a selector is the sample time, not the evaluation time', async () => {
    await expect(instantVector('timestamp(temp)', T, source)).resolves.toEqual({ '{room="a"}': 5, '{room="b"}': 0 });
  });

  it('math functions drop the metric name', async () => {
    await expect(instantVector('abs(temp)', T, source)).resolves.toEqual({ '{room="a"}': 3.7, '{room="b"}': 12.25 });
    await expect(instantVector('ceil(temp)', T, source)).resolves.toEqual({ '{room="a"}': 4, '{room="b"}': 13 });
    await expect(instantVector('floor(temp)', T, source)).resolves.toEqual({ '{room="a"}': 3, '{room="b"}': 12 });
    await expect(instantVector('round(temp)', T, source)).resolves.toEqual({ '{room="a"}': 4, '{room="b"}': 12 });
    await expect(instantVector('round(temp, 0.5)', T, source)).resolves.toEqual({ '{room="a"}': 3.5, '{room="b"}': 12.5 });
    await expect(instantVector('sqrt(temp{room="b"})', T, source)).resolves.toEqual({ '{room="b"}': 3.5 });
    await expect(instantVector('log2(temp{room="b"} * 0 + 8)', T, source)).resolves.toEqual({ '{room="b"}': 3 });
    await expect(instantVector('exp(temp{room="b"} * 0)', T, source)).resolves.toEqual({ '{room="b"}': 1 });
  });

  it('clamp bounds the values', async () => {
    await expect(instantVector('clamp(temp, 5, 10)', T, source)).resolves.toEqual({ '{room="a"}': 5, '{room="b"}': 10 });
    await expect(instantVector('clamp_min(temp, 5)', T, source)).resolves.toEqual({ '{room="a"}': 5, '{room="b"}': 12.25 });
    await expect(instantVector('clamp_max(temp, 5)', T, source)).resolves.toEqual({ '{room="a"}': 3.7, '{room="b"}': 5 });
    await expect(instantVector('clamp(temp, 10, 5)', T, source)).resolves.toEqual({});
  });

  it('sort and sort_desc order an instant vector', async () => {
    const asc = await queryInstant('sort(temp)', T, source);
    const desc = await queryInstant('sort_desc(temp)', T, source);
    expect(asc.resultType === 'vector' && asc.result.map((s) => s.metric.room)).toEqual(['a', 'b']);
    expect(desc.resultType === 'vector' && desc.result.map((s) => s.metric.room)).toEqual(['b', 'a']);
  });

  it('formats special values like Prometheus', async () => {
    const res = await queryRange('vector(1/0) or label_replace(vector(-1/0), "x", "y", "", "") or label_replace(vector(0/0), "x", "z", "", "")', 0, 0, 1000, source);
    expect(res.result.map((s) => s.values[0][1])).toEqual(['+Inf', '-Inf', 'NaN']);
  });
});
