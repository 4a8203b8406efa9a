import * as protobuf from 'protobufjs';

// OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) into the objects
// protobufjs decodes from the binary form, driven by the vendored schema: keys in lowerCamelCase
// or as written in the .proto, trace and span ids as hex (not base64), other bytes as base64,
// enums as integers or names, 64-bit integers as decimal strings or numbers, unknown keys ignored,
// null as absent. 64-bit integers become Long, bytes Buffer, so encoders and readers see one shape.

/** A JSON value that does not fit the schema; `path` is filled in on the way up. */
export class JsonFieldError extends Error {
  readonly path: (string | number)[] = [];
}

type Convert = (v: unknown, depth: number) => unknown;

interface FieldPlan {
  name: string;
  repeated: boolean;
  oneof: string | null;
  convert: Convert;
}

type Plan = Map<string, FieldPlan>;

// Nested messages, limited as protobufjs (like protoc) limits binary ones.
const MAX_DEPTH = protobuf.util.recursionLimit;
const ID_HEX_LENGTH: Record<string, number> = { traceId: 32, spanId: 16, parentSpanId: 16 };
const Long = protobuf.util.Long;
const plans = new WeakMap<protobuf.Type, Plan>();

/** Converts parsed OTLP/JSON into a message of `type`; throws {@link JsonFieldError}. */
export function fromOtlpJson(type: protobuf.Type, value: unknown): Record<string, unknown> {
  return message(type, value, 0);
}

function message(type: protobuf.Type, value: unknown, depth: number): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`expected an object (${type.name})`);
  if (depth > MAX_DEPTH) fail('nested too deeply');
  const plan = planOf(type);
  const out: Record<string, unknown> = {};
  let oneofs: Record<string, string> | undefined;
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    const field = plan.get(key);
    const v = obj[key];
    if (field === undefined || v === null || v === undefined) continue;
    try {
      if (field.oneof !== null) {
        oneofs ??= {};
        const other = oneofs[field.oneof];
        if (other !== undefined && other !== field.name) fail(`only one of ${field.oneof} may be set (also ${other})`);
        oneofs[field.oneof] = field.name;
      }
      const converted = field.repeated ? list(field.convert, v, depth + 1) : field.convert(v, depth + 1);
      if (converted !== undefined) out[field.name] = converted;
    } catch (e) {
      if (e instanceof JsonFieldError) e.path.unshift(key);
      throw e;
    }
  }
  return out;
}

function list(convert: Convert, v: unknown, depth: number): unknown[] {
  if (!Array.isArray(v)) fail('expected an array');
  const out = new Array<unknown>(v.length);
  for (let i = 0; i < v.length; i++) {
    try {
      const item = v[i] === null ? undefined : convert(v[i], depth);
      if (item === undefined) fail('expected a value, not null');
      out[i] = item;
    } catch (e) {
      if (e instanceof JsonFieldError) e.path.unshift(i);
      throw e;
    }
  }
  return out;
}

function planOf(type: protobuf.Type): Plan {
  let plan = plans.get(type);
  if (plan) return plan;
  plan = new Map();
  plans.set(type, plan); // before the fields: message types refer to themselves (AnyValue)
  for (const field of type.fieldsArray) {
    field.resolve();
    if (field.map) throw new Error(`map field ${type.name}.${field.name} is not supported`);
    const p: FieldPlan = { name: field.name, repeated: field.repeated, oneof: field.partOf && !field.partOf.name.startsWith('_') ? field.partOf.name : null, convert: converter(field) };
    for (const key of [field.name, field.jsonName, field.protoName]) if (key) plan.set(key, p);
  }
  return plan;
}

function converter(field: protobuf.Field): Convert {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) return (v, depth) => message(rt, v, depth);
  if (rt instanceof protobuf.Enum) return (v) => enumValue(rt, v);
  switch (field.type) {
    case 'string':
      return (v) => (typeof v === 'string' ? v : fail('expected a string'));
    case 'bool':
      return (v) => (typeof v === 'boolean' ? v : fail('expected a boolean'));
    case 'double':
    case 'float':
      return float;
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return (v) => int32(v, -0x80000000, 0x7fffffff);
    case 'uint32':
    case 'fixed32':
      return (v) => int32(v, 0, 0xffffffff);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return (v) => int64(v, false);
    case 'uint64':
    case 'fixed64':
      return (v) => int64(v, true);
    case 'bytes': {
      const hexLength = ID_HEX_LENGTH[field.name];
      return hexLength ? (v) => hexId(v, hexLength) : base64;
    }
    default:
      throw new Error(`field type ${field.type} of ${field.name} is not supported`);
  }
}

function fail(message: string): never {
  throw new JsonFieldError(message);
}

const NUMBER_RE = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_RE = /^-?\d+$/;
const HEX_RE = /^[0-9a-fA-F]*$/;
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

function float(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (NUMBER_RE.test(v)) return Number(v);
  }
  fail('expected a number');
}

function int32(v: unknown, min: number, max: number): number {
  const n = typeof v === 'string' && INTEGER_RE.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) fail('expected an integer');
  if (n < min || n > max) fail(`integer out of range [${min}, ${max}]`);
  return n;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function int64(v: unknown, unsigned: boolean): protobuf.Long {
  let b: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v); // beyond 2^53 already rounded by JSON.parse
  else if (typeof v === 'string' && INTEGER_RE.test(v)) b = BigInt(v);
  else fail('expected a 64-bit integer (a decimal string or an integer number)');
  if (unsigned ? b < 0n || b > UINT64_MAX : b < INT64_MIN || b > INT64_MAX) fail(`integer out of range for ${unsigned ? 'uint64' : 'int64'}`);
  const bits = BigInt.asUintN(64, b);
  return new Long(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0, unsigned);
}

function enumValue(e: protobuf.Enum, v: unknown): number {
  if (typeof v === 'number') return int32(v, -0x80000000, 0x7fffffff);
  if (typeof v === 'string' && Object.hasOwn(e.values, v)) return e.values[v];
  fail(`expected an integer or a name of ${e.name}`);
}

function hexId(v: unknown, length: number): Buffer | undefined {
  if (typeof v !== 'string' || !HEX_RE.test(v)) fail('expected a hex string');
  if (v.length === 0) return undefined;
  if (v.length !== length) fail(`expected ${length} hex characters, got ${v.length}`);
  return Buffer.from(v, 'hex');
}

function base64(v: unknown): Buffer {
  if (typeof v !== 'string' || !BASE64_RE.test(v)) fail('expected a base64 string');
  return Buffer.from(v, 'base64');
}
