/** Why a telemetry body was refused: unreadable (400) or larger than the decoder accepts (413). */
export type TelemetryDecodeReason = 'malformed' | 'too_large';

/**
 * A telemetry body (OTLP protobuf or JSON, Prometheus remote_write) that cannot be decoded.
 * The message names what is wrong and where (`resourceLogs[0].scopeLogs[0].logRecords[2].traceId: ...`);
 * it is safe to return to the client.
 */
export class TelemetryDecodeError extends Error {
  constructor(
    message: string,
    readonly reason: TelemetryDecodeReason = 'malformed',
  ) {
    super(message);
    this.name = 'TelemetryDecodeError';
  }
}

/** The OTLP name of {@link TelemetryDecodeError} (one class for every wire format). */
export const OtlpDecodeError = TelemetryDecodeError;
export type OtlpDecodeError = TelemetryDecodeError;
