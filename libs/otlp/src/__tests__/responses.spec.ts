import { join } from 'node:path';
import { encodeOtlpResponse, encodeOtlpStatus } from '..';
import { otlpSchema, vendorDir } from '../schema';

describe(encodeOtlpResponse.name, () => {
  it('writes an empty ExportXServiceResponse when everything was accepted', () => {
    expect(encodeOtlpResponse('logs', 'protobuf')).toEqual(Buffer.alloc(0));
    expect(encodeOtlpResponse('traces', 'json').toString()).toBe('{}');
  });

  it('writes partialSuccess with the signal’s rejected-count field', () => {
    const s = otlpSchema();
    const decoded = (type: typeof s.logsResponse, body: Buffer) => type.toObject(type.decode(body), { longs: Number });
    expect(decoded(s.logsResponse, encodeOtlpResponse('logs', 'protobuf', { rejected: 2, message: 'too old' }))).toEqual({ partialSuccess: { rejectedLogRecords: 2, errorMessage: 'too old' } });
    expect(decoded(s.traceResponse, encodeOtlpResponse('traces', 'protobuf', { rejected: 1, message: 'x' }))).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: 'x' } });
    expect(decoded(s.metricsResponse, encodeOtlpResponse('metrics', 'protobuf', { rejected: 3, message: 'y' }))).toEqual({ partialSuccess: { rejectedDataPoints: 3, errorMessage: 'y' } });
    expect(JSON.parse(encodeOtlpResponse('metrics', 'json', { rejected: 3, message: 'y' }).toString())).toEqual({ partialSuccess: { rejectedDataPoints: '3', errorMessage: 'y' } });
  });
});

describe(encodeOtlpStatus.name, () => {
  it('writes a google.rpc.Status', () => {
    const status = otlpSchema().status;
    expect(status.toObject(status.decode(encodeOtlpStatus('protobuf', 3, 'bad traceId')))).toEqual({ code: 3, message: 'bad traceId' });
    expect(JSON.parse(encodeOtlpStatus('json', 3, 'bad traceId').toString())).toEqual({ code: 3, message: 'bad traceId' });
  });
});

describe(vendorDir.name, () => {
  it('finds proto/vendor from the sources and from the compiled output', () => {
    const repo = join(__dirname, '..', '..', '..', '..');
    expect(vendorDir()).toBe(join(repo, 'proto', 'vendor'));
    expect(vendorDir(join(repo, 'dist', 'libs', 'otlp', 'src'))).toBe(join(repo, 'proto', 'vendor'));
    expect(() => vendorDir('/')).toThrow(/proto\/vendor .* not found/);
  });
});
