/** The typed PromQL syntax tree the parser produces and the evaluator walks. */
import type { Matcher } from './matchers';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Prometheus's documented names of value types, used in error messages. */
export function documentedType(t: ValueType | 'none'): string {
  switch (t) {
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    default:
      return t;
  }
}

export interface Position {
  start: number;
  end: number;
}

/** `@ <timestamp>`, `@ start()` or `@ end()`. */
export type AtModifier = { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' };

export interface NumberLiteral {
  kind: 'NumberLiteral';
  value: number;
  pos: Position;
}

export interface StringLiteral {
  kind: 'StringLiteral';
  value: string;
  pos: Position;
}

export interface VectorSelector {
  kind: 'VectorSelector';
  /** The metric name written before the braces, if any (also present as a `__name__` matcher). */
  name?: string;
  matchers: Matcher[];
  offsetMs: number;
  at?: AtModifier;
  pos: Position;
}

export interface MatrixSelector {
  kind: 'MatrixSelector';
  selector: VectorSelector;
  rangeMs: number;
  pos: Position;
}

export interface SubqueryExpr {
  kind: 'SubqueryExpr';
  expr: Expr;
  rangeMs: number;
  /** 0 when omitted (`[5m:]`): the engine's default subquery step is used. */
  stepMs: number;
  offsetMs: number;
  at?: AtModifier;
  pos: Position;
}

export interface Call {
  kind: 'Call';
  func: string;
  args: Expr[];
  pos: Position;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values'
  | 'limitk'
  | 'limit_ratio';

export interface AggregateExpr {
  kind: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  param?: Expr;
  grouping: string[];
  without: boolean;
  pos: Position;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  card: Cardinality;
  /** True for `on(...)`, false for `ignoring(...)` (and for no clause: ignoring nothing). */
  on: boolean;
  labels: string[];
  /** The labels of `group_left(...)` / `group_right(...)`. */
  include: string[];
}

export interface BinaryExpr {
  kind: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  /** Set when both sides are instant vectors. */
  matching?: VectorMatching;
  pos: Position;
}

export interface UnaryExpr {
  kind: 'UnaryExpr';
  op: '+' | '-';
  expr: Expr;
  pos: Position;
}

export interface ParenExpr {
  kind: 'ParenExpr';
  expr: Expr;
  pos: Position;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;

export function isComparisonOp(op: BinaryOp): op is ComparisonOp {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

export function isSetOp(op: BinaryOp): op is SetOp {
  return op === 'and' || op === 'or' || op === 'unless';
}

/** Whether the operator changes the meaning of the metric, so the result loses `__name__`. */
export function changesMetricSchema(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^' || op === 'atan2';
}

export function unwrapParens(e: Expr): Expr {
  while (e.kind === 'ParenExpr') e = e.expr;
  return e;
}

/** The value type an expression evaluates to (after the parser's checks). */
export function exprType(e: Expr, functionReturnType: (name: string) => ValueType): ValueType {
  switch (e.kind) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
    case 'AggregateExpr':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'Call':
      return functionReturnType(e.func);
    case 'ParenExpr':
    case 'UnaryExpr':
      return exprType(e.expr, functionReturnType);
    case 'BinaryExpr':
      return exprType(e.lhs, functionReturnType) === 'scalar' && exprType(e.rhs, functionReturnType) === 'scalar' ? 'scalar' : 'vector';
  }
}

/** Calls `visit` on `e` and every sub-expression, parents first. */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  switch (e.kind) {
    case 'MatrixSelector':
      walkExpr(e.selector, visit);
      break;
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      walkExpr(e.expr, visit);
      break;
    case 'Call':
      for (const a of e.args) walkExpr(a, visit);
      break;
    case 'AggregateExpr':
      if (e.param) walkExpr(e.param, visit);
      walkExpr(e.expr, visit);
      break;
    case 'BinaryExpr':
      walkExpr(e.lhs, visit);
      walkExpr(e.rhs, visit);
      break;
    default:
      break;
  }
}
