export { PromQLError, type PromQLErrorType } from './errors';
export type {
  Expr,
  ValueType,
  NumberLiteral,
  StringLiteral,
  VectorSelector,
  MatrixSelector,
  SubqueryExpr,
  Call,
  AggregateExpr,
  AggregateOp,
  BinaryExpr,
  BinaryOp,
  UnaryExpr,
  ParenExpr,
  VectorMatching,
  AtModifier,
} from './ast';
export { type Matcher, type MatchType, seriesMatches } from './matchers';
export { Labels } from './labels';
export { parsePromQL } from './parser';
export {
  queryRange,
  queryInstant,
  selectorsOf,
  parseMatchers,
  type Series,
  type SeriesSource,
  type QueryOptions,
  type MatrixResult,
  type VectorResult,
  type ScalarResult,
  type StringResult,
  type InstantQueryResult,
  type SamplePair,
} from './query';
export { STALE_NAN, isStaleNaN, formatValue } from './values';
export { InMemorySeriesSource } from './memory-source';
