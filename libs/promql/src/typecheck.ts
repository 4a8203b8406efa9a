/**
 * The semantic checks of Prometheus's parser (`checkAST`): value types of operands and arguments,
 * the rules of binary operators and their modifiers, non-empty selectors. Failures are parse errors
 * (`bad_data`) with the position of the offending expression.
 */
import { type BinaryExpr, type Expr, type Position, type ValueType, type VectorSelector, documentedType, isComparisonOp, isSetOp } from './ast';
import { parseError } from './errors';
import { FUNCTIONS } from './function-defs';
import { compileMatcher } from './matchers';

/** Checks `e` (adjusting set operators' matching to many-to-many); returns its value type. */
export function checkExpr(query: string, e: Expr): ValueType {
  return new Checker(query).check(e);
}

class Checker {
  constructor(private readonly query: string) {}

  private fail(pos: Position, message: string): never {
    throw parseError(this.query, pos.start, message);
  }

  check(e: Expr): ValueType {
    switch (e.kind) {
      case 'NumberLiteral':
        return 'scalar';
      case 'StringLiteral':
        return 'string';
      case 'ParenExpr':
        return this.check(e.expr);
      case 'VectorSelector':
        this.checkSelector(e);
        return 'vector';
      case 'MatrixSelector':
        this.checkSelector(e.selector);
        return 'matrix';
      case 'SubqueryExpr': {
        const t = this.check(e.expr);
        if (t !== 'vector') this.fail(e.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        return 'matrix';
      }
      case 'UnaryExpr': {
        const t = this.check(e.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.fail(e.pos, `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(documentedType(t))}`);
        }
        return t;
      }
      case 'AggregateExpr': {
        this.expectType(e.expr, 'vector', 'aggregation expression');
        if (e.param) this.expectType(e.param, e.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
        return 'vector';
      }
      case 'Call':
        return this.checkCall(e);
      case 'BinaryExpr':
        return this.checkBinary(e);
    }
  }

  private expectType(e: Expr, want: ValueType, context: string): void {
    const t = this.check(e);
    if (t !== want) this.fail(e.pos, `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`);
  }

  private checkSelector(vs: VectorSelector): void {
    if (vs.name !== undefined) return;
    const notEmpty = vs.matchers.some((m) => !compileMatcher(m).matches(''));
    if (!notEmpty) this.fail(vs.pos, 'vector selector must contain at least one non-empty matcher');
  }

  private checkCall(e: Extract<Expr, { kind: 'Call' }>): ValueType {
    const fn = FUNCTIONS.get(e.func);
    if (!fn) return this.fail(e.pos, `unknown function with name ${JSON.stringify(e.func)}`);
    const nargs = fn.argTypes.length;
    if (fn.variadic === 0) {
      if (nargs !== e.args.length) this.fail(e.pos, `expected ${nargs} argument(s) in call to ${JSON.stringify(fn.name)}, got ${e.args.length}`);
    } else {
      const na = nargs - 1;
      if (na > e.args.length) this.fail(e.pos, `expected at least ${na} argument(s) in call to ${JSON.stringify(fn.name)}, got ${e.args.length}`);
      else if (fn.variadic > 0 && na + fn.variadic < e.args.length) {
        this.fail(e.pos, `expected at most ${na + fn.variadic} argument(s) in call to ${JSON.stringify(fn.name)}, got ${e.args.length}`);
      }
    }
    e.args.forEach((arg, idx) => {
      let i = idx;
      if (i >= fn.argTypes.length) {
        if (fn.variadic === 0) return;
        i = fn.argTypes.length - 1;
      }
      const t = this.check(arg);
      if (t !== fn.argTypes[i]) {
        this.fail(arg.pos, `expected type ${documentedType(fn.argTypes[i])} in call to function ${JSON.stringify(fn.name)}, got ${documentedType(t)}`);
      }
    });
    return fn.returnType;
  }

  private checkBinary(e: BinaryExpr): ValueType {
    const lt = this.check(e.lhs);
    const rt = this.check(e.rhs);
    if (e.returnBool && !isComparisonOp(e.op)) this.fail(e.pos, 'bool modifier can only be used on comparison operators');
    if (isComparisonOp(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar') this.fail(e.pos, 'comparisons between scalars must use BOOL modifier');
    const m = e.matching;
    if (m && isSetOp(e.op) && m.card === 'one-to-one') m.card = 'many-to-many';
    if (m && m.on) {
      for (const l of m.labels) if (m.include.includes(l)) this.fail(e.pos, `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
    }
    if (lt !== 'scalar' && lt !== 'vector') this.fail(e.lhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (rt !== 'scalar' && rt !== 'vector') this.fail(e.rhs.pos, 'binary expression must contain only scalar and instant vector types');
    if ((lt !== 'vector' || rt !== 'vector') && m) {
      if (m.labels.length > 0) this.fail(e.pos, 'vector matching only allowed between instant vectors');
      e.matching = undefined;
    } else if (m && isSetOp(e.op)) {
      if (m.card === 'one-to-many' || m.card === 'many-to-one') this.fail(e.pos, `no grouping allowed for ${JSON.stringify(e.op)} operation`);
      if (m.card !== 'many-to-many') this.fail(e.pos, 'set operations must always be many-to-many');
    }
    if ((lt === 'scalar' || rt === 'scalar') && isSetOp(e.op)) this.fail(e.pos, `set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`);
    return lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector';
  }
}
