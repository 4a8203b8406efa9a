/**
 * PromQL parsing: the Prometheus project's Lezer grammar (`@prometheus-io/lezer-promql`) produces a
 * concrete syntax tree, which is converted here into the typed AST of `ast.ts` and checked like
 * Prometheus's parser does (`checkAST`, the modifiers' rules, argument types). Every problem is a
 * `PromQLError` of type `bad_data` whose message starts with the position, as Prometheus's does:
 * `1:14: parse error: unexpected end of input`.
 */
import { parser as lezerParser } from '@prometheus-io/lezer-promql';
import {
  type AggregateExpr,
  type AggregateOp,
  type AtModifier,
  type BinaryExpr,
  type BinaryOp,
  type Cardinality,
  type Expr,
  type MatrixSelector,
  type Position,
  type SubqueryExpr,
  type VectorMatching,
  type VectorSelector,
} from './ast';
import { parseError } from './errors';
import { FUNCTIONS } from './function-defs';
import { METRIC_NAME } from './labels';
import { blankTrailingDots, parseDurationMs, unquoteString } from './literals';
import { type Matcher, type MatchType, compileMatcher } from './matchers';
import { checkExpr } from './typecheck';
import { parseNumberLiteral } from './values';

/** Parses a PromQL expression into the typed AST; throws `PromQLError` (`bad_data`) when invalid. */
export function parsePromQL(query: string): Expr {
  return new Converter(query).parse();
}

const AGGREGATE_OPS: Record<string, AggregateOp> = {
  Sum: 'sum',
  Avg: 'avg',
  Min: 'min',
  Max: 'max',
  Count: 'count',
  Group: 'group',
  Stddev: 'stddev',
  Stdvar: 'stdvar',
  Topk: 'topk',
  Bottomk: 'bottomk',
  Quantile: 'quantile',
  CountValues: 'count_values',
  LimitK: 'limitk',
  LimitRatio: 'limit_ratio',
};

const BINARY_OPS: Record<string, BinaryOp> = {
  Pow: '^',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
};

const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

type SyntaxNode = ReturnType<typeof lezerParser.parse>['topNode'];

/** A token of an operator chain: an operand, a prefix sign, a binary operator or a postfix modifier. */
type ChainItem =
  | { kind: 'operand'; expr: Expr }
  | { kind: 'prefix'; op: '+' | '-'; from: number }
  | { kind: 'binary'; op: BinaryOp; node: SyntaxNode; modifiers: SyntaxNode[] }
  | { kind: 'postfix'; node: SyntaxNode };

/** Prometheus's operator precedences (yacc `%left`/`%right`), lowest first. */
const PRECEDENCE: Record<BinaryOp, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '<': 3,
  '>=': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};

const MAX_DURATION_SECONDS = 2 ** 63 / 1e9; // int64 nanoseconds

class Converter {
  /** Selectors and subqueries that carry an explicit offset (`offset 0s` included). */
  private readonly hasOffset = new WeakSet<object>();

  constructor(private readonly query: string) {}

  parse(): Expr {
    const tree = lezerParser.parse(blankTrailingDots(this.query));
    this.checkSyntax(tree.topNode);
    const top = tree.topNode.firstChild;
    if (!top) throw parseError(this.query, 0, 'no expression found in input');
    const expr = this.expr(top);
    checkExpr(this.query, expr);
    return expr;
  }

  // ---- syntax errors --------------------------------------------------------------------------

  private checkSyntax(top: SyntaxNode): void {
    let error: SyntaxNode | null = null;
    const cursor = top.cursor();
    do {
      if (cursor.type.isError) {
        error = cursor.node;
        break;
      }
    } while (cursor.next());
    if (!error) return;
    const prev = error.prevSibling;
    if (prev && prev.name === 'Identifier' && this.query.slice(error.from).trimStart().startsWith('(')) {
      const name = this.text(prev);
      throw parseError(this.query, prev.from, `unknown function with name ${JSON.stringify(name)}`);
    }
    let at = error.from;
    while (at < this.query.length && /\s/.test(this.query[at])) at++;
    if (at >= this.query.length) throw parseError(this.query, at, 'unexpected end of input');
    const token = /^([A-Za-z_:][A-Za-z0-9_:]*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`[^`]*`?|[=!<>]=|=~|!~|.)/.exec(this.query.slice(at));
    const tok = token ? token[0] : this.query[at];
    const what = /^[A-Za-z_:]/.test(tok) ? `identifier ${JSON.stringify(tok)}` : /^\d/.test(tok) ? `number ${JSON.stringify(tok)}` : JSON.stringify(tok);
    throw parseError(this.query, at, `unexpected ${what}`);
  }

  // ---- conversion -----------------------------------------------------------------------------

  private text(n: SyntaxNode): string {
    return this.query.slice(n.from, n.to);
  }

  private pos(n: SyntaxNode): Position {
    return { start: n.from, end: n.to };
  }

  private fail(pos: number | Position, message: string): never {
    throw parseError(this.query, typeof pos === 'number' ? pos : pos.start, message);
  }

  private children(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
    return out;
  }

  private expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'ParenExpr':
        return { kind: 'ParenExpr', expr: this.expr(this.exprChild(n)), pos: this.pos(n) };
      case 'NumberDurationLiteral':
        return { kind: 'NumberLiteral', value: this.number(n), pos: this.pos(n) };
      case 'StringLiteral':
        return { kind: 'StringLiteral', value: this.unquote(n), pos: this.pos(n) };
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'MatrixSelector':
      case 'SubqueryExpr':
      case 'OffsetExpr':
      case 'StepInvariantExpr':
      case 'BinaryExpr':
      case 'UnaryExpr':
        return this.chain(n);
      case 'FunctionCall':
        return this.call(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'AnchoredExpr':
      case 'SmoothedExpr':
        return this.fail(this.pos(n), `${n.name === 'AnchoredExpr' ? 'anchored' : 'smoothed'} modifier is experimental and not enabled`);
      default:
        return this.fail(this.pos(n), `unexpected ${n.name}`);
    }
  }

  /** The first child that is an expression. */
  private exprChild(n: SyntaxNode): SyntaxNode {
    const c = n.firstChild;
    if (!c) return this.fail(this.pos(n), 'missing expression');
    return c;
  }

  private number(n: SyntaxNode): number {
    const text = this.text(n);
    const sign = text[0] === '-' ? -1 : 1;
    const body = text[0] === '-' || text[0] === '+' ? text.slice(1).trim() : text;
    const lower = body.toLowerCase();
    if (lower === 'inf') return sign * Infinity;
    if (lower === 'nan') return NaN;
    const dur = parseDurationMs(body);
    if (dur !== undefined) return (sign * dur) / 1000;
    const v = parseNumberLiteral(body);
    if (v === undefined) return this.fail(this.pos(n), `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(body)}: invalid syntax`);
    return sign * v;
  }

  private unquote(n: SyntaxNode): string {
    try {
      return unquoteString(this.text(n));
    } catch (e) {
      return this.fail(this.pos(n), `error unquoting string ${JSON.stringify(this.text(n))}: ${(e as Error).message}`);
    }
  }

  private vectorSelector(n: SyntaxNode): VectorSelector {
    const matchers: Matcher[] = [];
    let name: string | undefined;
    for (const c of this.children(n)) {
      if (c.name === 'Identifier') {
        name = this.text(c);
      } else if (c.name === 'LabelMatchers') {
        for (const m of this.children(c)) {
          if (m.name === 'UnquotedLabelMatcher' || m.name === 'QuotedLabelMatcher') {
            const [labelNode, opNode, valueNode] = this.children(m);
            const label = labelNode.name === 'QuotedLabelName' ? this.unquote(labelNode.firstChild ?? labelNode) : this.text(labelNode);
            const op = MATCH_OPS[opNode.firstChild?.name ?? ''];
            if (!op || !valueNode) this.fail(this.pos(m), 'invalid label matcher');
            const matcher: Matcher = { name: label, type: op, value: this.unquote(valueNode) };
            this.compile(matcher, this.pos(m));
            matchers.push(matcher);
          } else if (m.name === 'QuotedLabelName') {
            // {"metric.name"}: a quoted metric name inside the braces.
            const metric = this.unquote(m.firstChild ?? m);
            matchers.push({ name: METRIC_NAME, type: '=', value: metric });
          }
        }
      }
    }
    if (name !== undefined) {
      for (const m of matchers) {
        if (m.name === METRIC_NAME) this.fail(this.pos(n), `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(m.value)}`);
      }
      matchers.push({ name: METRIC_NAME, type: '=', value: name });
    }
    return { kind: 'VectorSelector', name, matchers, offsetMs: 0, pos: this.pos(n) };
  }

  private compile(m: Matcher, pos: Position): void {
    try {
      compileMatcher(m);
    } catch (e) {
      this.fail(pos, (e as Error).message);
    }
  }

  // ---- operators and modifiers ---------------------------------------------------------------
  //
  // The Lezer grammar attaches a postfix modifier (`[5m]`, `[5m:1m]`, `offset`, `@`) to the whole
  // expression on its left (`a or b offset 5m` becomes `(a or b) offset 5m`), while Prometheus's
  // parser binds it to the nearest operand. So a chain of operators and modifiers is flattened back
  // into its tokens and re-parsed with Prometheus's precedences: postfix modifiers bind tightest,
  // then unary minus/plus (like `*`, so `-2 ^ 2` is `-(2 ^ 2)`), then `^` (right-associative),
  // `* / % atan2`, `+ -`, comparisons, `and unless`, `or`.

  private chain(n: SyntaxNode): Expr {
    const items: ChainItem[] = [];
    this.flatten(n, items);
    const state = { items, i: 0 };
    const e = this.parseChain(state, 1);
    if (state.i !== items.length) this.fail(this.pos(n), 'unexpected operator');
    return e;
  }

  private flatten(n: SyntaxNode, out: ChainItem[]): void {
    switch (n.name) {
      case 'BinaryExpr': {
        const kids = this.children(n);
        this.flatten(kids[0], out);
        const op = BINARY_OPS[kids[1].name];
        if (!op) this.fail(this.pos(kids[1]), `binary expression does not support operator ${JSON.stringify(this.text(kids[1]))}`);
        out.push({ kind: 'binary', op, node: n, modifiers: kids.slice(2, -1) });
        this.flatten(kids[kids.length - 1], out);
        return;
      }
      case 'UnaryExpr': {
        const [opNode, inner] = this.children(n);
        out.push({ kind: 'prefix', op: this.text(opNode) === '-' ? '-' : '+', from: opNode.from });
        this.flatten(inner, out);
        return;
      }
      case 'NumberDurationLiteral': {
        const text = this.text(n);
        if (text[0] === '-' || text[0] === '+') {
          out.push({ kind: 'prefix', op: text[0], from: n.from });
          const signed = this.number(n);
          out.push({ kind: 'operand', expr: { kind: 'NumberLiteral', value: text[0] === '-' ? -signed : signed, pos: { start: n.from + 1, end: n.to } } });
          return;
        }
        out.push({ kind: 'operand', expr: this.expr(n) });
        return;
      }
      case 'MatrixSelector':
      case 'SubqueryExpr':
      case 'OffsetExpr':
      case 'StepInvariantExpr': {
        this.flatten(this.exprChild(n), out);
        out.push({ kind: 'postfix', node: n });
        return;
      }
      default:
        out.push({ kind: 'operand', expr: this.expr(n) });
    }
  }

  private parseChain(st: { items: ChainItem[]; i: number }, minPrec: number): Expr {
    let left = this.parseUnaryItem(st);
    for (;;) {
      const item = st.items[st.i];
      if (!item || item.kind !== 'binary') return left;
      const prec = PRECEDENCE[item.op];
      if (prec < minPrec) return left;
      st.i++;
      const right = this.parseChain(st, item.op === '^' ? prec : prec + 1);
      left = this.binary(item, left, right);
    }
  }

  private parseUnaryItem(st: { items: ChainItem[]; i: number }): Expr {
    const item = st.items[st.i];
    if (!item) return this.fail(this.query.length, 'unexpected end of input');
    if (item.kind === 'prefix') {
      st.i++;
      const operand = this.parseChain(st, PRECEDENCE['^']);
      const pos = { start: item.from, end: operand.pos.end };
      if (operand.kind === 'NumberLiteral') return { kind: 'NumberLiteral', value: item.op === '-' ? -operand.value : operand.value, pos };
      return { kind: 'UnaryExpr', op: item.op, expr: operand, pos };
    }
    if (item.kind !== 'operand') return this.fail(item.kind === 'binary' ? this.pos(item.node) : item.node.from, 'unexpected operator');
    st.i++;
    let e = item.expr;
    for (let next = st.items[st.i]; next && next.kind === 'postfix'; next = st.items[st.i]) {
      st.i++;
      e = this.postfix(e, next.node);
    }
    return e;
  }

  private postfix(e: Expr, n: SyntaxNode): Expr {
    const pos = { start: e.pos.start, end: n.to };
    const kids = this.children(n).slice(1);
    switch (n.name) {
      case 'MatrixSelector': {
        const rangeMs = this.positiveDuration(kids.find((k) => k.name === 'DurationExpr'));
        if (e.kind !== 'VectorSelector') return this.fail(pos, 'ranges only allowed for vector selectors');
        if (this.hasOffset.has(e)) this.fail(pos, 'no offset modifiers allowed before range');
        if (e.at) this.fail(pos, 'no @ modifiers allowed before range');
        return { kind: 'MatrixSelector', selector: e, rangeMs, pos } satisfies MatrixSelector;
      }
      case 'SubqueryExpr': {
        const durations = kids.filter((k) => k.name === 'DurationExpr');
        const rangeMs = this.positiveDuration(durations[0]);
        const stepMs = durations[1] ? this.positiveDuration(durations[1]) : 0;
        return { kind: 'SubqueryExpr', expr: e, rangeMs, stepMs, offsetMs: 0, pos } satisfies SubqueryExpr;
      }
      case 'OffsetExpr': {
        const durNode = kids.find((k) => k.name === 'OffsetDurationExpr');
        if (!durNode) return this.fail(pos, 'missing offset duration');
        const offsetMs = this.durationMs(durNode);
        const target = e.kind === 'MatrixSelector' ? e.selector : e;
        if (target.kind !== 'VectorSelector' && target.kind !== 'SubqueryExpr') {
          return this.fail(pos, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
        }
        if (this.hasOffset.has(target)) this.fail(pos, 'offset may not be set multiple times');
        this.hasOffset.add(target);
        target.offsetMs = offsetMs;
        e.pos = pos;
        return e;
      }
      case 'StepInvariantExpr': {
        const arg = kids.find((k) => k.name === 'NumberDurationLiteral' || k.name === 'AtModifierPreprocessors');
        if (!arg) return this.fail(pos, 'missing @ argument');
        let at: AtModifier;
        if (arg.name === 'AtModifierPreprocessors') {
          at = arg.firstChild?.name === 'AtStart' ? { kind: 'start' } : { kind: 'end' };
        } else {
          const ts = this.number(arg);
          if (!Number.isFinite(ts) || ts >= 2 ** 63 || ts <= -(2 ** 63)) {
            this.fail(pos, `timestamp out of bounds for @ modifier: ${ts}`);
          }
          at = { kind: 'time', ms: Math.round(ts * 1000) };
        }
        const target = e.kind === 'MatrixSelector' ? e.selector : e;
        if (target.kind !== 'VectorSelector' && target.kind !== 'SubqueryExpr') {
          return this.fail(pos, '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
        }
        if (target.at) this.fail(pos, '@ <timestamp> may not be set multiple times');
        target.at = at;
        e.pos = pos;
        return e;
      }
      default:
        return this.fail(pos, `unexpected ${n.name}`);
    }
  }

  /** A duration in milliseconds; `positive` enforces Prometheus's "duration must be greater than 0". */
  private positiveDuration(n: SyntaxNode | undefined): number {
    if (!n) return this.fail(this.query.length, 'missing duration');
    const ms = this.durationMs(n);
    if (ms <= 0) this.fail(this.pos(n), 'duration must be greater than 0');
    return ms;
  }

  /** A duration literal, optionally signed; duration arithmetic is experimental in Prometheus. */
  private durationMs(n: SyntaxNode): number {
    if (n.name === 'NumberDurationLiteralInDurationContext') return this.durationLiteralMs(n);
    const kids = this.children(n);
    if (kids.length === 1) return this.durationMs(kids[0]);
    if (kids.length === 2 && kids[0].name === 'UnaryOp') return (this.text(kids[0]) === '-' ? -1 : 1) * this.durationMs(kids[1]);
    return this.fail(this.pos(n), 'experimental duration expression is not enabled');
  }

  private durationLiteralMs(n: SyntaxNode): number {
    const text = this.text(n);
    const dur = parseDurationMs(text);
    if (dur !== undefined) return dur;
    const lower = text.toLowerCase();
    if (lower === 'inf' || lower === 'nan') return this.fail(this.pos(n), 'duration out of range');
    const v = parseNumberLiteral(text);
    if (v === undefined) return this.fail(this.pos(n), `error parsing number: ${JSON.stringify(text)}`);
    if (v > MAX_DURATION_SECONDS || v < -MAX_DURATION_SECONDS) return this.fail(this.pos(n), 'duration out of range');
    // time.Duration(math.Round(v*1e9)) truncated to milliseconds.
    return Math.trunc(Math.round(v * 1e9) / 1e6);
  }

  private call(n: SyntaxNode): Expr {
    const [ident, body] = this.children(n);
    const name = this.text(ident);
    const fn = FUNCTIONS.get(name);
    if (!fn) return this.fail(this.pos(ident), `unknown function with name ${JSON.stringify(name)}`);
    if (fn.experimental) this.fail(this.pos(ident), `function ${JSON.stringify(name)} is not enabled`);
    const args = body ? this.children(body).map((c) => this.expr(c)) : [];
    return { kind: 'Call', func: name, args, pos: this.pos(n) };
  }

  private aggregate(n: SyntaxNode): AggregateExpr {
    let op: AggregateOp | undefined;
    let grouping: string[] = [];
    let without = false;
    let args: Expr[] = [];
    for (const c of this.children(n)) {
      if (c.name === 'AggregateOp') op = AGGREGATE_OPS[c.firstChild?.name ?? ''];
      else if (c.name === 'AggregateModifier') {
        without = c.firstChild?.name === 'Without';
        const labels = this.children(c).find((k) => k.name === 'GroupingLabels');
        grouping = labels ? this.groupingLabels(labels) : [];
      } else if (c.name === 'FunctionCallBody') args = this.children(c).map((k) => this.expr(k));
    }
    if (!op) return this.fail(this.pos(n), 'aggregation operator expected');
    if (op === 'limitk' || op === 'limit_ratio') {
      this.fail(this.pos(n), `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`);
    }
    if (args.length === 0) this.fail(this.pos(n), 'no arguments for aggregate expression provided');
    const withParam = op === 'topk' || op === 'bottomk' || op === 'quantile' || op === 'count_values';
    const desired = withParam ? 2 : 1;
    if (args.length !== desired) this.fail(this.pos(n), `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`);
    return {
      kind: 'AggregateExpr',
      op,
      expr: withParam ? args[1] : args[0],
      param: withParam ? args[0] : undefined,
      grouping,
      without,
      pos: this.pos(n),
    };
  }

  private groupingLabels(n: SyntaxNode): string[] {
    return this.children(n).map((c) => (c.name === 'QuotedLabelName' ? this.unquote(c.firstChild ?? c) : this.text(c)));
  }

  private binary(item: Extract<ChainItem, { kind: 'binary' }>, lhs: Expr, rhs: Expr): BinaryExpr {
    let returnBool = false;
    let card: Cardinality = 'one-to-one';
    let on = false;
    let labels: string[] = [];
    let include: string[] = [];
    for (const c of item.modifiers) {
      if (c.name === 'BoolModifier') returnBool = true;
      else if (c.name === 'MatchingModifierClause') {
        let seenGroupLabels = false;
        for (const k of this.children(c)) {
          if (k.name === 'On') on = true;
          else if (k.name === 'Ignoring') on = false;
          else if (k.name === 'GroupLeft') card = 'many-to-one';
          else if (k.name === 'GroupRight') card = 'one-to-many';
          else if (k.name === 'GroupingLabels') {
            if (!seenGroupLabels) labels = this.groupingLabels(k);
            else include = this.groupingLabels(k);
            seenGroupLabels = true;
          }
        }
      } else if (c.name === 'FillModifier') {
        this.fail(this.pos(c), 'binop fill modifiers are experimental and not enabled');
      }
    }
    const matching: VectorMatching = { card, on, labels, include };
    return { kind: 'BinaryExpr', op: item.op, lhs, rhs, returnBool, matching, pos: { start: lhs.pos.start, end: rhs.pos.end } };
  }
}

export { parseDurationMs, unquoteString };
