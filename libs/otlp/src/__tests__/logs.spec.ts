import { decodeOtlp, encodeOtlpRequest, logLevel, logRows, OtlpDecodeError, TelemetryDecodeError } from '..';
import { logsPayload, SPAN_ID, TRACE_ID } from './sdk-payloads';

const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const record = (lr: object) => json({ resourceLogs: [{ scopeLogs: [{ logRecords: [lr] }] }] });
const deepArray = (depth: number): object => (depth === 0 ? { stringValue: 'deep' } : { arrayValue: { values: [deepArray(depth - 1)] } });
const decodeError = (format: 'json' | 'protobuf', body: Buffer) => {
  try {
    decodeOtlp('logs', format, body);
  } catch (e) {
    expect(e).toBeInstanceOf(TelemetryDecodeError);
    return (e as Error).message;
  }
  throw new Error('decoded');
};

describe(logRows.name, () => {
  const payload = logsPayload();

  it('normalizes the SDK protobuf export to the microsecond, with ids, attributes and resource', () => {
    const [first, second] = logRows(decodeOtlp('logs', 'protobuf', payload.protobuf), 5);
    expect(first).toEqual({
      time_us: 1772445600123456,
      observed_time_us: 1772445601987654,
      severity_number: 9,
      severity_text: 'INFO',
      level: 'info',
      body: 'order placed',
      attributes: { 'http.route': '/orders', 'order.items': 3, 'order.total': 42.5, 'order.paid': true, tags: ['a', 'b'] },
      resource: { 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-7', 'host.name': 'node-1', 'deploy.replicas': 3 },
      service: 'checkout',
      scope: 'checkout.http',
      event_name: '',
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
      flags: 1,
    });
    expect(second).toMatchObject({ time_us: 1772445602000000, severity_number: 0, severity_text: 'Warning', level: 'warn', body: '{"code":7,"reason":"slow"}', trace_id: null, span_id: null, flags: 0 });
  });

  it('gives the same rows for the OTLP/JSON export of the same records', () => {
    const fromJson = logRows(decodeOtlp('logs', 'json', payload.json));
    expect(fromJson).toEqual(logRows(decodeOtlp('logs', 'protobuf', payload.protobuf)));
  });

  it('re-encodes a JSON request as protobuf without losing anything', () => {
    const req = decodeOtlp('logs', 'json', payload.json);
    const again = decodeOtlp('logs', 'protobuf', encodeOtlpRequest('logs', req));
    expect(logRows(again)).toEqual(logRows(req));
    expect(encodeOtlpRequest('logs', again)).toEqual(encodeOtlpRequest('logs', req));
  });

  it('falls back to the observed time, then to now; names unknown services', () => {
    const [noTime, none] = logRows(
      decodeOtlp('logs', 'json', json({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ observedTimeUnixNano: '1772445600000001000' }, {}] }] }] })),
      1_000_000,
    );
    expect([noTime.time_us, noTime.observed_time_us, noTime.service, noTime.scope, noTime.body]).toEqual([1772445600000001, 1772445600000001, 'unknown_service', '', '']);
    expect([none.time_us, none.observed_time_us, none.level]).toEqual([1_000_000, 1_000_000, 'unspecified']);
  });

  it('an empty body is an empty request, in both formats', () => {
    expect(logRows(decodeOtlp('logs', 'protobuf', Buffer.alloc(0)))).toEqual([]);
    expect(logRows(decodeOtlp('logs', 'json', Buffer.alloc(0)))).toEqual([]);
  });
});

describe('OTLP/JSON logs', () => {
  it('accepts snake_case keys, enum names, numbers and strings for 64-bit integers, and ignores unknown keys', () => {
    const body = json({
      resource_logs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'api' } }] },
          scope_logs: [
            {
              scope: { name: 's' },
              log_records: [
                {
                  time_unix_nano: 1772445600000000000,
                  severity_number: 'SEVERITY_NUMBER_ERROR2',
                  trace_id: TRACE_ID.toUpperCase(),
                  surprise: { what: 1 },
                  body: { kvlistValue: { values: [{ key: 'n', value: { intValue: '9007199254740993' } }, { key: 'b', value: { bytesValue: 'aGk=' } }, { key: 'd', value: { doubleValue: 'NaN' } }, { key: 'e', value: {} }] } },
                },
              ],
            },
          ],
        },
      ],
    });
    const [row] = logRows(decodeOtlp('logs', 'json', body));
    expect(row).toMatchObject({ time_us: 1772445600000000, severity_number: 18, level: 'error', trace_id: TRACE_ID, service: 'api', scope: 's' });
    expect(JSON.parse(row.body)).toEqual({ n: '9007199254740993', b: 'aGk=', d: 'NaN', e: null });
  });

  it.each([
    ['malformed JSON', Buffer.from('{"resourceLogs": ['), /invalid OTLP JSON: /],
    ['a trace id of the wrong length', record({ traceId: 'abcd' }), /resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.traceId: expected 32 hex characters, got 4/],
    ['a trace id that is not hex', record({ traceId: 'z'.repeat(32) }), /traceId: expected a hex string/],
    ['a string where a number belongs', record({ severityNumber: 'loud' }), /severityNumber: expected an integer or a name of SeverityNumber/],
    ['a 64-bit integer that is not one', record({ timeUnixNano: '12.5' }), /timeUnixNano: expected a 64-bit integer/],
    ['an object where a list belongs', json({ resourceLogs: {} }), /resourceLogs: expected an array/],
    ['two values in one AnyValue', record({ body: { stringValue: 'a', intValue: 1 } }), /body\.intValue: only one of value may be set \(also stringValue\)/],
    ['a top level that is not an object', json([1]), /expected an object/],
    ['AnyValues nested beyond the protobuf recursion limit', record({ body: deepArray(60) }), /nested too deeply/],
  ])('refuses %s', (_what, body, message) => {
    expect(decodeError('json', body)).toMatch(message);
  });
});

describe('OTLP protobuf logs', () => {
  it('refuses a truncated body', () => {
    const { protobuf } = logsPayload();
    expect(decodeError('protobuf', protobuf.subarray(0, protobuf.length - 7))).toMatch(/^invalid OTLP protobuf ExportLogsServiceRequest: /);
  });

  it('refuses ids of the wrong length', () => {
    const req = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: Buffer.alloc(5, 1) }] }] }] };
    expect(decodeError('protobuf', encodeOtlpRequest('logs', req))).toMatch(/logRecords\[0\]: trace id of 5 bytes/);
  });

  it('keeps the last member of a oneof that arrives twice, as protobuf requires', () => {
    const req = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'first', intValue: 5 } }] }] }] };
    const [row] = logRows(decodeOtlp('logs', 'protobuf', encodeOtlpRequest('logs', req)));
    expect(row.body).toBe('5');
  });

  it('OtlpDecodeError is TelemetryDecodeError', () => {
    expect(OtlpDecodeError).toBe(TelemetryDecodeError);
  });
});

describe(logLevel.name, () => {
  it('maps severity number ranges, else the text', () => {
    expect([1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25].map((n) => logLevel(n, ''))).toEqual(['trace', 'trace', 'debug', 'debug', 'info', 'info', 'warn', 'warn', 'error', 'error', 'fatal', 'fatal', 'unspecified']);
    expect(['TRACE', 'debug', 'Info', 'INFO3', 'WARNING', 'err', 'CRITICAL', 'fatal', 'loud', ''].map((t) => logLevel(0, t))).toEqual(['trace', 'debug', 'info', 'info', 'warn', 'error', 'fatal', 'fatal', 'unspecified', 'unspecified']);
  });
});
