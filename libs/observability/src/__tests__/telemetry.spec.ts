import { exportsTraces } from '../telemetry';

describe(exportsTraces.name, () => {
  it('exports when an OTLP endpoint or an exporter is named, and not by default (no collector on localhost is assumed)', () => {
    expect(exportsTraces({})).toBe(false);
    expect(exportsTraces({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(exportsTraces({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(exportsTraces({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(exportsTraces({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
  });

  it('does not export with OTEL_TRACES_EXPORTER=none, even with an endpoint', () => {
    expect(exportsTraces({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(exportsTraces({ OTEL_TRACES_EXPORTER: ' none ' })).toBe(false);
  });
});
