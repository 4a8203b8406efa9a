import * as protobuf from 'protobufjs';
import { compressSync, uncompressSync } from 'snappy';
import { TelemetryDecodeError } from './errors';
import { int64ToNumber } from './int64';
import { PromSample, PromSeriesSamples } from './prometheus';
import { finish, otlpSchema } from './schema';
import { Int64 } from './types';

// Prometheus remote_write 1.0: a snappy block (not framed) of a `prometheus.WriteRequest`.

/** Stands for a staleness marker in a decoded or encoded `Sample.value` (see {@link PromSample}). */
const STALE = Object.freeze({ stale: true });
const STALE_LOW = 0x00000002;
const STALE_HIGH = 0x7ff00000;
const STALE_BITS = new protobuf.util.Long(STALE_LOW, STALE_HIGH, true);

interface WireSeries {
  labels?: { name?: string | null; value?: string | null }[] | null;
  samples?: { value?: number | typeof STALE | null; timestamp?: Int64 | null }[] | null;
}

export interface RemoteWriteOptions {
  /** The largest uncompressed body accepted (default 64 MiB); a larger one is refused before it is decompressed. */
  maxBytes?: number;
}

/**
 * Decodes a remote_write body into series. Every series has a non-empty `__name__` and no label
 * name twice; labels with an empty value are left out (Prometheus treats them as absent). Sample
 * timestamps are milliseconds; staleness markers are kept (`stale: true`, bit-exact on re-encoding).
 * Native histograms and exemplars are not read.
 * @throws TelemetryDecodeError when the body is not snappy, not a WriteRequest, or a series is invalid
 * (`reason: 'too_large'` when it decompresses beyond `maxBytes`).
 */
export function decodeRemoteWrite(body: Buffer, options: RemoteWriteOptions = {}): PromSeriesSamples[] {
  const raw = uncompress(body, options.maxBytes ?? 64 * 1024 * 1024);
  let req: { timeseries?: WireSeries[] | null };
  try {
    const reader = protobuf.Reader.create(raw);
    reader.double = staleAwareDouble(reader.double);
    req = otlpSchema().writeRequest.decode(reader) as typeof req;
  } catch (e) {
    throw new TelemetryDecodeError(`invalid remote_write WriteRequest: ${(e as Error).message}`);
  }
  const wire = req.timeseries ?? [];
  const out: PromSeriesSamples[] = new Array(wire.length);
  for (let i = 0; i < wire.length; i++) out[i] = { labels: labelsOf(wire[i], i), samples: samplesOf(wire[i]) };
  return out;
}

/** Encodes series as a remote_write body (labels sorted by name, staleness markers bit-exact). */
export function encodeRemoteWrite(series: PromSeriesSamples[]): Buffer {
  const timeseries = series.map((s) => ({
    labels: Object.keys(s.labels)
      .sort()
      .map((name) => ({ name, value: s.labels[name] })),
    samples: s.samples.map((x) => ({ value: x.stale ? STALE : x.v, timestamp: x.t_ms })),
  }));
  const writer = protobuf.Writer.create();
  writer.double = staleAwareWriteDouble(writer.double);
  return compressSync(finish(otlpSchema().writeRequest.encode({ timeseries }, writer)), { copyOutputData: true });
}

function uncompress(body: Buffer, maxBytes: number): Buffer {
  const length = snappyLength(body);
  if (length > maxBytes) throw new TelemetryDecodeError(`remote_write body decompresses to ${length} bytes (at most ${maxBytes})`, 'too_large');
  try {
    // copyOutputData: a plain Buffer; snappy's default external buffer is ~9x slower for 400 kB bodies.
    const out = uncompressSync(body, { asBuffer: true, copyOutputData: true });
    return Buffer.isBuffer(out) ? out : Buffer.from(out);
  } catch (e) {
    throw new TelemetryDecodeError(`remote_write body is not snappy block-compressed: ${(e as Error).message}`);
  }
}

/** The uncompressed length a snappy block announces (its leading varint); -1 when unreadable (left to the decoder). */
function snappyLength(body: Buffer): number {
  let length = 0;
  for (let i = 0, shift = 1; i < Math.min(body.length, 5); i++, shift *= 128) {
    length += (body[i] & 0x7f) * shift;
    if (body[i] < 0x80) return length;
  }
  return -1;
}

function labelsOf(ts: WireSeries, index: number): Record<string, string> {
  let labels: Record<string, string> = {};
  let empty = false;
  let previous = '';
  let unsorted = false;
  for (const l of ts.labels ?? []) {
    const name = l.name ?? '';
    const value = l.value ?? '';
    if (name === '') throw new TelemetryDecodeError(`remote_write timeseries[${index}]: a label has an empty name`);
    // Senders sort labels by name (the spec requires it): while they are sorted, every name is new.
    unsorted ||= name <= previous;
    if (unsorted && Object.hasOwn(labels, name)) throw new TelemetryDecodeError(`remote_write timeseries[${index}]: label ${name} appears twice`);
    previous = name;
    // '__proto__' would set the object's prototype instead of a property.
    if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
    else labels[name] = value;
    empty ||= value === '';
  }
  if (empty) labels = Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
  if (!labels.__name__) throw new TelemetryDecodeError(`remote_write timeseries[${index}]: no __name__ label`);
  return labels;
}

function samplesOf(ts: WireSeries): PromSample[] {
  const wire = ts.samples ?? [];
  const out: PromSample[] = new Array(wire.length);
  for (let i = 0; i < wire.length; i++) {
    const v = wire[i].value;
    const t_ms = int64ToNumber(wire[i].timestamp);
    out[i] = v === STALE ? { t_ms, v: NaN, stale: true } : { t_ms, v: typeof v === 'number' ? v : 0 };
  }
  return out;
}

// Sample.value is the only double a WriteRequest has outside histograms and exemplars (not read):
// the reader hands the marker over as STALE before its bits become an ordinary NaN.
function staleAwareDouble(double: () => number): (this: protobuf.Reader) => number {
  return function (this: protobuf.Reader) {
    const { buf, pos } = this;
    const stale = pos + 8 <= this.len && buf[pos] === STALE_LOW && buf[pos + 1] === 0 && buf[pos + 2] === 0 && buf[pos + 3] === 0 && buf[pos + 4] === 0 && buf[pos + 5] === 0 && buf[pos + 6] === 0xf0 && buf[pos + 7] === 0x7f;
    const value = double.call(this);
    return stale ? (STALE as unknown as number) : value;
  };
}

function staleAwareWriteDouble(double: (value: number) => protobuf.Writer): (this: protobuf.Writer, value: number) => protobuf.Writer {
  return function (this: protobuf.Writer, value: number) {
    return (value as unknown) === STALE ? this.fixed64(STALE_BITS) : double.call(this, value);
  };
}
