import { compressSync, uncompressSync } from 'snappy';
import { decodeRemoteWrite, encodeRemoteWrite, PromSeriesSamples, TelemetryDecodeError } from '..';
import { otlpSchema } from '../schema';

const STALE_BYTES = Buffer.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]); // 0x7ff0000000000002, little-endian
const series: PromSeriesSamples[] = [
  {
    labels: { __name__: 'http_requests_total', job: 'api', instance: 'a:9090' },
    samples: [
      { t_ms: 1772445600000, v: 1 },
      { t_ms: 1772445615000, v: 4.5 },
      { t_ms: 1772445630000, v: NaN, stale: true },
    ],
  },
  { labels: { __name__: 'up', job: 'api' }, samples: [{ t_ms: 1772445600000, v: 0 }] },
];

/** A WriteRequest written with protobufjs directly (not through encodeRemoteWrite), snappy block-compressed. */
const rawBody = (timeseries: object[], patch?: (bytes: Buffer) => void) => {
  const bytes = Buffer.from(otlpSchema().writeRequest.encode({ timeseries }).finish());
  patch?.(bytes);
  return compressSync(bytes);
};
const label = (name: string, value: string) => ({ name, value });

describe(decodeRemoteWrite.name, () => {
  it('round-trips series through encodeRemoteWrite (snappy block + WriteRequest), labels sorted', () => {
    const body = encodeRemoteWrite(series);
    expect(decodeRemoteWrite(body)).toEqual([
      { labels: { __name__: 'http_requests_total', instance: 'a:9090', job: 'api' }, samples: series[0].samples },
      series[1],
    ]);
  });

  it('keeps a staleness marker bit-exactly, and writes it back so', () => {
    const body = rawBody([{ labels: [label('__name__', 'up')], samples: [{ value: 1.5, timestamp: 1772445600000 }] }], (bytes) => {
      const at = bytes.indexOf(Buffer.from(new Float64Array([1.5]).buffer));
      STALE_BYTES.copy(bytes, at);
    });
    const decoded = decodeRemoteWrite(body);
    expect(decoded[0].samples).toEqual([{ t_ms: 1772445600000, v: NaN, stale: true }]);
    const again = uncompressSync(encodeRemoteWrite(decoded), { asBuffer: true }) as Buffer;
    expect(again.includes(STALE_BYTES)).toBe(true);
    // An ordinary NaN stays an ordinary NaN.
    const nan = rawBody([{ labels: [label('__name__', 'up')], samples: [{ value: NaN, timestamp: 1 }] }]);
    expect(decodeRemoteWrite(nan)[0].samples).toEqual([{ t_ms: 1, v: NaN }]);
  });

  it('leaves out labels with an empty value', () => {
    const body = rawBody([{ labels: [label('__name__', 'up'), label('zone', '')], samples: [{ value: 1, timestamp: 2 }] }]);
    expect(decodeRemoteWrite(body)[0].labels).toEqual({ __name__: 'up' });
  });

  it.each([
    ['a body that is not snappy', Buffer.from('{"timeseries": []}'), /not snappy block-compressed/],
    ['an empty body', Buffer.alloc(0), /not snappy block-compressed/],
    ['snappy of something that is not a WriteRequest', compressSync(Buffer.from([0x0a, 0xff, 0x01])), /invalid remote_write WriteRequest/],
    ['a series without __name__', rawBody([{ labels: [label('job', 'x')] }]), /timeseries\[0\]: no __name__ label/],
    ['a label twice', rawBody([{ labels: [label('__name__', 'up'), label('job', 'a'), label('job', 'b')] }]), /label job appears twice/],
    ['a label twice, out of order', rawBody([{ labels: [label('__name__', 'up'), label('zone', 'a'), label('job', 'x'), label('zone', 'b')] }]), /label zone appears twice/],
    ['a label without a name', rawBody([{ labels: [label('__name__', 'up'), label('', 'a')] }]), /empty name/],
  ])('refuses %s', (_what, body, message) => {
    expect(() => decodeRemoteWrite(body)).toThrow(TelemetryDecodeError);
    expect(() => decodeRemoteWrite(body)).toThrow(message);
  });

  it('refuses, before decompressing, a body that announces more than maxBytes', () => {
    const body = encodeRemoteWrite(series);
    expect(() => decodeRemoteWrite(body, { maxBytes: 10 })).toThrow(expect.objectContaining({ reason: 'too_large' }));
  });
});
