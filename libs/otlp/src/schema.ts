import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import * as protobuf from 'protobufjs';

// The vendored official schemas (proto/vendor, see its README), loaded once, on first use.
const FILES = [
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'prometheus/prompb/remote.proto',
  'google/rpc/status.proto',
];

/** The message types the library reads and writes. */
export interface Schema {
  logsRequest: protobuf.Type;
  logsResponse: protobuf.Type;
  traceRequest: protobuf.Type;
  traceResponse: protobuf.Type;
  metricsRequest: protobuf.Type;
  metricsResponse: protobuf.Type;
  writeRequest: protobuf.Type;
  status: protobuf.Type;
}

let schema: Schema | undefined;

/** The loaded schema (parsed on the first call, then cached). */
export function otlpSchema(): Schema {
  if (!schema) schema = loadSchema(vendorDir());
  return schema;
}

/**
 * `proto/vendor` of the repository: the first ancestor of this file that has it, so it is found
 * from the sources (libs/otlp/src under ts-jest) and from the compiled output (dist/libs/otlp/src).
 */
export function vendorDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'proto', 'vendor');
    if (existsSync(join(candidate, 'opentelemetry'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`proto/vendor (the vendored OpenTelemetry and Prometheus schemas) not found above ${from}`);
  }
}

function loadSchema(dir: string): Schema {
  const root = new protobuf.Root();
  // Imports are relative to proto/vendor (OpenTelemetry, googleapis) or to the importing file (prompb's "types.proto").
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target)) return target;
    const fromRoot = join(dir, target);
    return existsSync(fromRoot) || !origin ? fromRoot : join(dirname(origin), target);
  };
  root.loadSync(FILES.map((f) => join(dir, f)));
  root.resolveAll();
  withCheapOneofSetters(() => generateConstructors(root));
  const type = (name: string) => root.lookupType(name);
  return {
    logsRequest: type('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    logsResponse: type('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
    traceRequest: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    traceResponse: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
    metricsRequest: type('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
    metricsResponse: type('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
    writeRequest: type('prometheus.WriteRequest'),
    status: type('google.rpc.Status'),
  };
}

type OneOfSetterFactory = (fieldNames: string[]) => (this: Record<string, unknown>, name: string | undefined) => void;

/**
 * Runs `fn` with protobufjs building oneof setters that delete only the members a message has.
 * Its own setter deletes every other member of the oneof, present or not: on each AnyValue (a
 * oneof of 8) that is 7 `delete`s, a third of the time of decoding a log record. Deleting an
 * absent property does nothing, so the behaviour is the same. The setters are built when a type's
 * constructor is generated, so only the constructors generated inside `fn` get this one.
 */
function withCheapOneofSetters(fn: () => void): void {
  const util = protobuf.util as unknown as { oneOfSetter: OneOfSetterFactory };
  const original = util.oneOfSetter;
  util.oneOfSetter = (fieldNames) =>
    function (name) {
      for (const f of fieldNames) if (f !== name && Object.hasOwn(this, f)) delete this[f];
    };
  try {
    fn();
  } finally {
    util.oneOfSetter = original;
  }
}

function generateConstructors(ns: protobuf.NamespaceBase): void {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) void nested.ctor;
    if (nested instanceof protobuf.Namespace) generateConstructors(nested);
  }
}

/** The bytes a protobufjs writer produced, as a Buffer (a view, no copy). */
export function finish(writer: protobuf.Writer): Buffer {
  const bytes = writer.finish();
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
