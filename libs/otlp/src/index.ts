// Telemetry wire formats (OTLP/HTTP protobuf and JSON, Prometheus remote_write) decoded with the
// official schemas (proto/vendor) into plain rows: log records, spans, metric points, Prometheus series.
export * from './errors';
export * from './types';
export { type AttrValue, type Attributes, attrText } from './attributes';
export * from './otlp';
export * from './logs';
export * from './spans';
export * from './metrics';
export * from './prometheus';
export { promName, promMetricName, promLabelName, promUnit, promFloat } from './prom-naming';
export * from './remote-write';
export { recordTimes } from './record-times';
