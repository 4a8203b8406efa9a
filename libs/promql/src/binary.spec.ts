/** Binary operators: arithmetic, label matching, comparisons, bool, set operators. */
import { PromQLError } from './errors';
import { queryInstant } from './query';
import { SEC, instantVector, sourceOf } from './spec-helpers';

const source = sourceOf([
  [{ __name__: 'requests', job: 'api', instance: 'a' }, [[0, 10]]],
  [{ __name__: 'requests', job: 'api', instance: 'b' }, [[0, 30]]],
  [{ __name__: 'requests', job: 'db', instance: 'a' }, [[0, 50]]],
  [{ __name__: 'errors', job: 'api', instance: 'a' }, [[0, 1]]],
  [{ __name__: 'errors', job: 'api', instance: 'b' }, [[0, 6]]],
  [{ __name__: 'errors', job: 'db', instance: 'a', code: '500' }, [[0, 5]]],
  [{ __name__: 'capacity', job: 'api', tier: 'gold' }, [[0, 100]]],
  [{ __name__: 'capacity', job: 'db', tier: 'silver' }, [[0, 200]]],
]);
const T = 10 * SEC;

describe('arithmetic', () => {
  it('scalar with scalar', async () => {
    // ^ is right-associative: 2 ^ 3 ^ 2 = 2 ^ 9 = 512.
    await expect(queryInstant('2 * 3 + 2 ^ 3 ^ 2 / 64 - -1', T, source)).resolves.toEqual({ resultType: 'scalar', result: [10, '15'] });
    await expect(queryInstant('-2 ^ 2', T, source)).resolves.toEqual({ resultType: 'scalar', result: [10, '-4'] });
    await expect(queryInstant('7 % 4', T, source)).resolves.toEqual({ resultType: 'scalar', result: [10, '3'] });
  });

  it('vector with scalar drops the metric name', async () => {
    await expect(instantVector('requests{job="api"} * 2', T, source)).resolves.toEqual({ '{instance="a",job="api"}': 20, '{instance="b",job="api"}': 60 });
    await expect(instantVector('100 / requests{job="api"}', T, source)).resolves.toEqual({ '{instance="a",job="api"}': 10, '{instance="b",job="api"}': 100 / 30 });
  });

  it('vector with vector matches on all labels but the name', async () => {
    // errors{job="db"} has an extra label (code) and does not match.
    await expect(instantVector('errors / requests', T, source)).resolves.toEqual({ '{instance="a",job="api"}': 0.1, '{instance="b",job="api"}': 0.2 });
  });

  it('ignoring() leaves labels out of the match', async () => {
    await expect(instantVector('errors / ignoring(code) requests', T, source)).resolves.toEqual({
      '{instance="a",job="api"}': 0.1,
      '{instance="b",job="api"}': 0.2,
      '{instance="a",job="db"}': 0.1,
    });
  });

  it('on() matches on the listed labels only and keeps only those', async () => {
    await expect(instantVector('errors{job="db"} + on(job, instance) requests', T, source)).resolves.toEqual({ '{instance="a",job="db"}': 55 });
  });

  it('group_left matches many to one and copies labels from the one side', async () => {
    await expect(instantVector('requests / on(job) group_left(tier) capacity', T, source)).resolves.toEqual({
      '{instance="a",job="api",tier="gold"}': 0.1,
      '{instance="b",job="api",tier="gold"}': 0.3,
      '{instance="a",job="db",tier="silver"}': 0.25,
    });
  });

  it('group_right is the mirror of group_left', async () => {
    await expect(instantVector('capacity / on(job) group_right requests', T, source)).resolves.toEqual({
      '{instance="a",job="api"}': 10,
      '{instance="b",job="api"}': 100 / 30,
      '{instance="a",job="db"}': 4,
    });
  });

  it('many-to-many matching without group_left is an execution error', async () => {
    const err = await queryInstant('requests + on(job) capacity', T, source).then(
      () => undefined,
      (e: unknown) => e,
    );
    // requests has two api series: the left side is not unique for job="api".
    expect(err).toBeInstanceOf(PromQLError);
    expect((err as PromQLError).type).toBe('execution');
    expect((err as PromQLError).message).toMatch(/multiple matches for labels/);
  });
});

describe('comparisons', () => {
  it('filter and keep the left value and the metric name', async () => {
    await expect(instantVector('requests > 20', T, source)).resolves.toEqual({
      '{__name__="requests",instance="b",job="api"}': 30,
      '{__name__="requests",instance="a",job="db"}': 50,
    });
  });

  it('with the scalar on the left still keep the vector value', async () => {
    await expect(instantVector('20 < requests', T, source)).resolves.toEqual({
      '{__name__="requests",instance="b",job="api"}': 30,
      '{__name__="requests",instance="a",job="db"}': 50,
    });
  });

  it('bool returns 0 or 1 for every element and drops the metric name', async () => {
    await expect(instantVector('requests > bool 20', T, source)).resolves.toEqual({
      '{instance="a",job="api"}': 0,
      '{instance="b",job="api"}': 1,
      '{instance="a",job="db"}': 1,
    });
  });

  it('between vectors filter by the matched right-hand value', async () => {
    await expect(instantVector('errors * 10 >= requests', T, source)).resolves.toEqual({ '{instance="a",job="api"}': 10, '{instance="b",job="api"}': 60 });
  });

  it('between scalars require bool', async () => {
    await expect(queryInstant('1 < bool 2', T, source)).resolves.toEqual({ resultType: 'scalar', result: [10, '1'] });
    await expect(queryInstant('1 < 2', T, source)).rejects.toMatchObject({ type: 'bad_data' });
  });
});

describe('set operators', () => {
  it('and keeps left elements with a match on the right', async () => {
    await expect(instantVector('requests and errors', T, source)).resolves.toEqual({
      '{__name__="requests",instance="a",job="api"}': 10,
      '{__name__="requests",instance="b",job="api"}': 30,
    });
  });

  it('or adds right elements without a match on the left', async () => {
    await expect(instantVector('requests{job="api"} or on(job) capacity', T, source)).resolves.toEqual({
      '{__name__="requests",instance="a",job="api"}': 10,
      '{__name__="requests",instance="b",job="api"}': 30,
      '{__name__="capacity",job="db",tier="silver"}': 200,
    });
  });

  it('unless keeps left elements without a match', async () => {
    await expect(instantVector('requests unless on(instance) errors{instance="b"}', T, source)).resolves.toEqual({
      '{__name__="requests",instance="a",job="api"}': 10,
      '{__name__="requests",instance="a",job="db"}': 50,
    });
  });

  it('precedence: and binds tighter than or', async () => {
    await expect(instantVector('capacity or requests and errors{instance="zzz"}', T, source)).resolves.toEqual({
      '{__name__="capacity",job="api",tier="gold"}': 100,
      '{__name__="capacity",job="db",tier="silver"}': 200,
    });
  });
});
