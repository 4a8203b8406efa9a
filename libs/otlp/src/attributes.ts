import { int64ToSafe } from './int64';
import { AnyValue, KeyValue, Resource } from './types';

/** An attribute value as plain JSON: int64 as a number when safe (else its decimal string), bytes as base64, NaN/±Infinity as strings. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };

/** An attribute map (`KeyValue` list) as a plain object; a repeated key keeps its last value. */
export type Attributes = Record<string, AttrValue>;

const has = Object.hasOwn;

/** An OTLP AnyValue as plain JSON (an empty AnyValue is null). */
export function anyValue(v: AnyValue | null | undefined): AttrValue {
  if (v == null) return null;
  if (has(v, 'stringValue') && v.stringValue != null) return v.stringValue;
  if (has(v, 'intValue') && v.intValue != null) return int64ToSafe(v.intValue);
  if (has(v, 'boolValue') && v.boolValue != null) return v.boolValue;
  if (has(v, 'doubleValue') && v.doubleValue != null) return finiteOrString(v.doubleValue);
  if (has(v, 'kvlistValue') && v.kvlistValue != null) return attributes(v.kvlistValue.values);
  if (has(v, 'arrayValue') && v.arrayValue != null) return (v.arrayValue.values ?? []).map(anyValue);
  if (has(v, 'bytesValue') && v.bytesValue != null) return toBuffer(v.bytesValue).toString('base64');
  return null;
}

/** A KeyValue list as a plain object. */
export function attributes(list: KeyValue[] | null | undefined): Attributes {
  const out: Attributes = {};
  if (!list) return out;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    const key = kv.key ?? '';
    // '__proto__' would set the object's prototype instead of a property.
    if (key === '__proto__') Object.defineProperty(out, key, { value: anyValue(kv.value), enumerable: true, writable: true, configurable: true });
    else out[key] = anyValue(kv.value);
  }
  return out;
}

/** What every row of one resource shares. */
export interface ResourceInfo {
  /** The resource's attributes (one object for all the rows of the resource: do not mutate). */
  attributes: Attributes;
  /** `service.name`, or `unknown_service` when it is missing (the SDKs' default). */
  service: string;
}

export function resourceInfo(resource: Resource | null | undefined): ResourceInfo {
  const attrs = attributes(resource?.attributes);
  const name = attrs['service.name'];
  return { attributes: attrs, service: typeof name === 'string' && name !== '' ? name : 'unknown_service' };
}

/**
 * An attribute value as one string, per the OpenTelemetry "AnyValue representation for non-OTLP
 * protocols": strings as they are, null as '', bytes as base64 (already so in {@link AttrValue}),
 * numbers and booleans as JSON, arrays and maps as JSON with NaN/±Infinity as strings.
 */
export function attrText(v: AttrValue): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Lowercase hex of an id; null when empty or all zero (an invalid id, per the OTLP spec). */
export function hexId(bytes: Uint8Array | null | undefined): string | null {
  if (!bytes || bytes.length === 0) return null;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return toBuffer(bytes).toString('hex');
  return null;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function finiteOrString(n: number): number | string {
  return Number.isFinite(n) ? n : String(n);
}
