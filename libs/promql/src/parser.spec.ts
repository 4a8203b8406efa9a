/** Parsing into the AST, Prometheus's precedences, and parse errors. */
import type { BinaryExpr, Expr, MatrixSelector, UnaryExpr, VectorSelector } from './ast';
import { PromQLError } from './errors';
import { parsePromQL } from './parser';
import { parseMatchers, selectorsOf } from './query';

function parseFailure(q: string): PromQLError {
  try {
    parsePromQL(q);
  } catch (e) {
    if (e instanceof PromQLError) return e;
    throw e;
  }
  throw new Error(`${q} parsed`);
}

describe(parsePromQL.name, () => {
  it('builds a typed AST with durations, offsets and grouping', () => {
    const e = parsePromQL('sum by (service) (rate(http_requests_total{code=~"5.."}[1h30m] offset 5m))');
    expect(e).toMatchObject({
      kind: 'AggregateExpr',
      op: 'sum',
      grouping: ['service'],
      without: false,
      expr: {
        kind: 'Call',
        func: 'rate',
        args: [
          {
            kind: 'MatrixSelector',
            rangeMs: 5400000,
            selector: {
              kind: 'VectorSelector',
              name: 'http_requests_total',
              offsetMs: 300000,
              matchers: [
                { name: 'code', type: '=~', value: '5..' },
                { name: '__name__', type: '=', value: 'http_requests_total' },
              ],
            },
          },
        ],
      },
    });
  });

  it('reads number literals, durations as seconds, and strings', () => {
    expect(parsePromQL('0x1F')).toMatchObject({ kind: 'NumberLiteral', value: 31 });
    expect(parsePromQL('1e3')).toMatchObject({ value: 1000 });
    expect(parsePromQL('-Inf')).toMatchObject({ value: -Infinity });
    expect(parsePromQL('5m')).toMatchObject({ value: 300 });
    expect(parsePromQL('2.')).toMatchObject({ value: 2 });
    expect(parsePromQL('"a\\tb"')).toMatchObject({ kind: 'StringLiteral', value: 'a\tb' });
    expect(parsePromQL('`raw\\n`')).toMatchObject({ value: 'raw\\n' });
  });

  it('binds offset and @ to the nearest selector, like Prometheus', () => {
    const e = parsePromQL('a offset 1m or b offset 2m') as BinaryExpr;
    expect(e.op).toBe('or');
    expect((e.lhs as VectorSelector).offsetMs).toBe(60000);
    expect((e.rhs as VectorSelector).offsetMs).toBe(120000);
    const at = parsePromQL('-metric @ 100') as UnaryExpr;
    expect(at.kind).toBe('UnaryExpr');
    expect((at.expr as VectorSelector).at).toEqual({ kind: 'time', ms: 100000 });
  });

  it('gives ^ precedence over unary minus and * over +', () => {
    const neg = parsePromQL('-2 ^ 2') as UnaryExpr;
    expect(neg).toMatchObject({ kind: 'UnaryExpr', op: '-', expr: { kind: 'BinaryExpr', op: '^' } });
    const sum = parsePromQL('a + b * c') as BinaryExpr;
    expect(sum).toMatchObject({ op: '+', rhs: { op: '*' } });
    const mixed = parsePromQL('a * b offset 1m ^ c') as BinaryExpr;
    expect(mixed).toMatchObject({ op: '*', rhs: { op: '^', lhs: { kind: 'VectorSelector', offsetMs: 60000 } } });
  });

  it('reads matching modifiers', () => {
    const e = parsePromQL('a / on(job) group_left(tier) b') as BinaryExpr;
    expect(e.matching).toEqual({ card: 'many-to-one', on: true, labels: ['job'], include: ['tier'] });
    const bool = parsePromQL('a > bool ignoring(x) b') as BinaryExpr;
    expect(bool).toMatchObject({ returnBool: true, matching: { card: 'one-to-one', on: false, labels: ['x'] } });
  });

  it('reads subqueries', () => {
    expect(parsePromQL('max_over_time(rate(x[5m])[1h:])')).toMatchObject({
      kind: 'Call',
      args: [{ kind: 'SubqueryExpr', rangeMs: 3600000, stepMs: 0 }],
    });
    const ms = (parsePromQL('rate(x[90])') as { args: Expr[] }).args[0] as MatrixSelector;
    expect(ms.rangeMs).toBe(90000);
  });

  it.each([
    ['sum(rate(x[5m])', /^1:16: parse error: unexpected end of input$/],
    ['foo{a="b"', /^1:10: parse error: unexpected end of input$/],
    ['bar(1)', /^1:1: parse error: unknown function with name "bar"$/],
    ['rate(x)', /expected type range vector in call to function "rate", got instant vector/],
    ['x[5m] + 1', /binary expression must contain only scalar and instant vector types/],
    ['1 > 2', /comparisons between scalars must use BOOL modifier/],
    ['{a=""}', /vector selector must contain at least one non-empty matcher/],
    ['x offset 5m[5m]', /no offset modifiers allowed before range/],
    ['x[0s]', /duration must be greater than 0/],
    ['sum(x) offset 1m', /offset modifier must be preceded by an instant vector selector/],
    ['topk(x)', /wrong number of arguments for aggregate expression provided, expected 2, got 1/],
    ['x{a=~"("}', /invalid regular expression/],
    ['a and 1', /set operator "and" not allowed in binary scalar expression/],
    ['round(x, 1, 2)', /expected at most 2 argument\(s\) in call to "round", got 3/],
    ['"unterminated', /error unquoting string/],
    ['x == bool on(a) group_left(a) y', /label "a" must not occur in ON and GROUP clause at once/],
  ])('rejects %s', (q, message) => {
    const err = parseFailure(q);
    expect(err.type).toBe('bad_data');
    expect(err.message).toMatch(message);
  });
});

describe(selectorsOf.name, () => {
  it('lists the matchers of every selector', () => {
    expect(selectorsOf('sum(rate(a{x="1"}[5m])) / on() group_left b')).toEqual([
      [
        { name: 'x', type: '=', value: '1' },
        { name: '__name__', type: '=', value: 'a' },
      ],
      [{ name: '__name__', type: '=', value: 'b' }],
    ]);
  });
});

describe(parseMatchers.name, () => {
  it('parses a series selector', () => {
    expect(parseMatchers('up{job="x"}')).toEqual([
      { name: 'job', type: '=', value: 'x' },
      { name: '__name__', type: '=', value: 'up' },
    ]);
    expect(parseMatchers('{__name__=~"a.*"}')).toEqual([{ name: '__name__', type: '=~', value: 'a.*' }]);
  });

  it('rejects anything but a selector', () => {
    expect(() => parseMatchers('rate(up[5m])')).toThrow(PromQLError);
    expect(() => parseMatchers('{job=~".*"}')).toThrow(/at least one non-empty matcher/);
  });
});
