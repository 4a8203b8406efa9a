/** Instant vector selectors: lookback delta, staleness markers, matchers, offset and @. */
import { InMemorySeriesSource } from './memory-source';
import { queryInstant, queryRange } from './query';
import { MIN, SEC, instantVector, sourceOf } from './spec-helpers';
import { STALE_NAN, isStaleNaN } from './values';

describe('lookback and staleness', () => {
  const source = new InMemorySeriesSource()
    .add({ __name__: 'up', job: 'stale' }, [
      [0, 1],
      [60 * SEC, 2],
      [120 * SEC, STALE_NAN],
    ])
    .add({ __name__: 'up', job: 'quiet' }, [[0, 7]]);

  it('takes the newest sample at or before the evaluation time', async () => {
    await expect(instantVector('up', 119 * SEC, source)).resolves.toEqual({ '{__name__="up",job="stale"}': 2, '{__name__="up",job="quiet"}': 7 });
  });

  it('a series is absent once its newest sample is a staleness marker', async () => {
    await expect(instantVector('up', 120 * SEC, source)).resolves.toEqual({ '{__name__="up",job="quiet"}': 7 });
    await expect(instantVector('up{job="stale"}', 200 * SEC, source)).resolves.toEqual({});
  });

  it('a series without new samples disappears after the lookback delta (exclusive)', async () => {
    await expect(instantVector('up{job="quiet"}', 5 * MIN - 1, source)).resolves.toEqual({ '{__name__="up",job="quiet"}': 7 });
    await expect(instantVector('up{job="quiet"}', 5 * MIN, source)).resolves.toEqual({});
  });

  it('honours a shorter lookback delta', async () => {
    const res = await queryInstant('up{job="quiet"}', 61 * SEC, source, { lookbackDeltaMs: MIN });
    expect(res).toEqual({ resultType: 'vector', result: [] });
  });

  it('stale markers are not samples of a range vector', async () => {
    await expect(instantVector('count_over_time(up{job="stale"}[5m])', 150 * SEC, source)).resolves.toEqual({ '{job="stale"}': 2 });
  });

  it('recognises the marker also after it went through a plain array', () => {
    expect(isStaleNaN(STALE_NAN)).toBe(true);
    expect(isStaleNaN([STALE_NAN][0])).toBe(true);
    expect(isStaleNaN(NaN)).toBe(false);
    expect(isStaleNaN(1)).toBe(false);
  });

  it('a range query shows the series until its marker', async () => {
    const res = await queryRange('up{job="stale"}', 0, 180 * SEC, 30 * SEC, source);
    expect(res.result).toEqual([
      {
        metric: { __name__: 'up', job: 'stale' },
        values: [
          [0, '1'],
          [30, '1'],
          [60, '2'],
          [90, '2'],
        ],
      },
    ]);
  });
});

describe('label matchers', () => {
  const source = sourceOf([
    [{ __name__: 'm', env: 'prod' }, [[0, 1]]],
    [{ __name__: 'm', env: 'production' }, [[0, 2]]],
    [{ __name__: 'm', env: 'dev' }, [[0, 3]]],
    [{ __name__: 'm' }, [[0, 4]]],
    [{ __name__: 'other', env: 'prod' }, [[0, 5]]],
  ]);
  const values = async (q: string) => Object.values(await instantVector(q, 10 * SEC, source)).sort();

  it.each([
    ['m{env="prod"}', [1]],
    ['m{env!="prod"}', [2, 3, 4]],
    ['m{env=~"prod"}', [1]], // anchored: not "production"
    ['m{env=~"prod.*"}', [1, 2]],
    ['m{env!~"prod.*"}', [3, 4]],
    ['m{env=""}', [4]], // an empty value matches a series without the label
    ['m{env!=""}', [1, 2, 3]],
    ['m{env=~"|dev"}', [3, 4]],
    ['m{env=~"(?i)PROD"}', [1]],
    ['m{env=~"(?i:PRO)d.*"}', [1, 2]],
    ['m{env=~"[[:lower:]]{3}"}', [3]],
    ['m{env=~`pro\\Q.\\E|prod`}', [1]], // \Q…\E quotes: "." is literal
    ['m{env=~"p.*|d.*"}', [1, 2, 3]],
    ['{__name__=~"m|other", env="prod"}', [1, 5]],
    ['{__name__!="m", env="prod"}', [5]],
  ])('%s', async (q, expected) => {
    await expect(values(q)).resolves.toEqual(expected);
  });
});

describe('offset and @', () => {
  const source = sourceOf([[{ __name__: 'g' }, [[0, 0], [60, 1], [120, 2], [180, 3], [240, 4]]]]);

  it('offset evaluates the selector earlier', async () => {
    await expect(instantVector('g offset 2m', 240 * SEC, source)).resolves.toEqual({ '{__name__="g"}': 2 });
  });

  it('a negative offset looks ahead', async () => {
    await expect(instantVector('g offset -1m', 120 * SEC, source)).resolves.toEqual({ '{__name__="g"}': 3 });
  });

  it('@ pins the evaluation time of a selector', async () => {
    const res = await queryRange('g @ 60', 0, 240 * SEC, 120 * SEC, source);
    expect(res.result[0].values).toEqual([
      [0, '1'],
      [120, '1'],
      [240, '1'],
    ]);
  });

  it('@ end() is the end of the range query', async () => {
    const res = await queryRange('g @ end()', 0, 120 * SEC, 60 * SEC, source);
    expect(res.result[0].values.map((p) => p[1])).toEqual(['2', '2', '2']);
  });
});
