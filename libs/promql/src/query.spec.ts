/** The API: result shapes of Prometheus's HTTP API, parameter limits, data fetching, errors. */
import { PromQLError } from './errors';
import { InMemorySeriesSource } from './memory-source';
import { type SeriesSource, queryInstant, queryRange } from './query';
import { MIN, SEC, sourceOf } from './spec-helpers';

const source = sourceOf([
  [{ __name__: 'x', job: 'b' }, [[0, 1], [60, 2], [120, 3]]],
  [{ __name__: 'x', job: 'a' }, [[0, 10], [60, 20.5]]],
]);

describe(queryInstant.name, () => {
  it('answers a vector with the evaluation time in seconds and values as strings', async () => {
    await expect(queryInstant('x', 90.5 * SEC, source)).resolves.toEqual({
      resultType: 'vector',
      result: [
        { metric: { __name__: 'x', job: 'a' }, value: [90.5, '20.5'] },
        { metric: { __name__: 'x', job: 'b' }, value: [90.5, '2'] },
      ],
    });
  });

  it('answers a range selector with the raw samples of (t - range, t], sorted by labels', async () => {
    await expect(queryInstant('x[2m]', 120 * SEC, source)).resolves.toEqual({
      resultType: 'matrix',
      result: [
        { metric: { __name__: 'x', job: 'a' }, values: [[60, '20.5']] },
        {
          metric: { __name__: 'x', job: 'b' },
          values: [
            [60, '2'],
            [120, '3'],
          ],
        },
      ],
    });
  });

  it('answers scalars and strings', async () => {
    await expect(queryInstant('1/3', 1, source)).resolves.toEqual({ resultType: 'scalar', result: [0.001, '0.3333333333333333'] });
    await expect(queryInstant('"hello"', 0, source)).resolves.toEqual({ resultType: 'string', result: [0, 'hello'] });
    await expect(queryInstant('1e-7 * 1', 0, source)).resolves.toEqual({ resultType: 'scalar', result: [0, '1e-07'] });
  });
});

describe(queryRange.name, () => {
  it('answers a matrix sorted by labels with one point per step where a value exists', async () => {
    await expect(queryRange('x * 2', 0, 3 * MIN, MIN, source)).resolves.toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { job: 'a' },
          values: [
            [0, '20'],
            [60, '41'],
            [120, '41'],
            [180, '41'],
          ],
        },
        {
          metric: { job: 'b' },
          values: [
            [0, '2'],
            [60, '4'],
            [120, '6'],
            [180, '6'],
          ],
        },
      ],
    });
  });

  it('answers a scalar expression as one series without labels', async () => {
    await expect(queryRange('time()', 0, 2 * MIN, MIN, source)).resolves.toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: {},
          values: [
            [0, '0'],
            [60, '60'],
            [120, '120'],
          ],
        },
      ],
    });
  });

  it('selects each selector once for the whole range, back by its range (left-open)', async () => {
    const src = new InMemorySeriesSource().add({ __name__: 'http_requests_total', service: 's' }, [[0, 1]]);
    await queryRange('sum by (service) (rate(http_requests_total[5m])) / sum by (service) (rate(http_requests_total[5m]))', 10 * MIN, 70 * MIN, MIN, src);
    expect(src.calls).toEqual([
      { matchers: [{ name: '__name__', type: '=', value: 'http_requests_total' }], startMs: 5 * MIN + 1, endMs: 70 * MIN },
    ]);
  });

  it('selects back by the lookback delta and the offset for instant selectors', async () => {
    const src = new InMemorySeriesSource();
    await queryRange('up offset 1h', 2 * 60 * MIN, 3 * 60 * MIN, MIN, src);
    expect(src.calls).toEqual([{ matchers: [{ name: '__name__', type: '=', value: 'up' }], startMs: 55 * MIN + 1, endMs: 2 * 60 * MIN }]);
  });

  it.each([
    [0, 100 * SEC, 0, /zero or negative query resolution step widths are not accepted/],
    [100 * SEC, 0, SEC, /end timestamp must not be before start time/],
    [0, 11001 * SEC, SEC, /exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution \(\?step=XX\)/],
  ])('rejects start=%d end=%d step=%d', async (start, end, step, message) => {
    await expect(queryRange('x', start, end, step, source)).rejects.toMatchObject({ type: 'bad_data', message: expect.stringMatching(message) });
  });

  it('accepts exactly 11,000 steps', async () => {
    await expect(queryRange('vector(1)', 0, 11000 * SEC, SEC, source)).resolves.toMatchObject({ resultType: 'matrix' });
  });

  it('rejects expressions that are not scalars or instant vectors', async () => {
    await expect(queryRange('x[5m]', 0, MIN, MIN, source)).rejects.toMatchObject({ type: 'bad_data', message: expect.stringMatching(/invalid expression type "range vector" for range query/) });
  });
});

describe('series from the source', () => {
  it('merges a series returned in pieces and sorts its samples', async () => {
    const pieces: SeriesSource = {
      select: async () => [
        { labels: { __name__: 'p', job: 'j' }, t: [120 * SEC, 60 * SEC], v: [3, 2] },
        { labels: { __name__: 'p', job: 'j' }, t: [0], v: [1] },
      ],
    };
    await expect(queryInstant('p[5m]', 120 * SEC, pieces)).resolves.toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'p', job: 'j' },
          values: [
            [0, '1'],
            [60, '2'],
            [120, '3'],
          ],
        },
      ],
    });
  });

  it('re-applies the matchers to what the source returns', async () => {
    const sloppy: SeriesSource = {
      select: async () => [
        { labels: { __name__: 'p', job: 'api' }, t: [0], v: [1] },
        { labels: { __name__: 'p', job: 'api-canary' }, t: [0], v: [2] },
      ],
    };
    await expect(queryInstant('p{job=~"api"}', 0, sloppy)).resolves.toMatchObject({ result: [{ metric: { job: 'api' } }] });
  });
});

describe('errors', () => {
  it('parse errors are bad_data', async () => {
    await expect(queryInstant('sum(', 0, source)).rejects.toBeInstanceOf(PromQLError);
    await expect(queryInstant('sum(', 0, source)).rejects.toMatchObject({ type: 'bad_data' });
  });

  it('a failing source is an execution error', async () => {
    const failing: SeriesSource = { select: () => Promise.reject(new Error('db down')) };
    await expect(queryInstant('x', 0, failing)).rejects.toMatchObject({ type: 'execution', message: 'expanding series: db down' });
  });

  it('a slow source times out', async () => {
    const slow: SeriesSource = { select: () => new Promise((resolve) => setTimeout(() => resolve([]), 200)) };
    await expect(queryInstant('x', 0, slow, { timeoutMs: 20 })).rejects.toMatchObject({ type: 'timeout' });
  });

  it('too many samples', async () => {
    await expect(queryRange('x', 0, 10 * MIN, SEC, source, { maxSamples: 100 })).rejects.toMatchObject({ type: 'too_many_samples' });
  });
});
