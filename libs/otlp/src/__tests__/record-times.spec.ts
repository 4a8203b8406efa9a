import { decodeOtlp, logRows, metricPoints, recordTimes, spanRows } from '..';
import { logsPayload, metricsPayload, tracesPayload } from './sdk-payloads';

describe(recordTimes.name, () => {
  it("gives each record's time as its row has it (logs: time, else observed, else now; spans: start; metric points)", async () => {
    const logs = decodeOtlp('logs', 'protobuf', logsPayload().protobuf);
    expect(recordTimes('logs', logs, 5)).toEqual(logRows(logs, 5).map((r) => r.time_us));
    const untimed = decodeOtlp('logs', 'json', Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}, { observedTimeUnixNano: '3000' }] }] }] })));
    expect(recordTimes('logs', untimed, 7)).toEqual([7, 3]);
    const traces = decodeOtlp('traces', 'protobuf', tracesPayload().protobuf);
    expect(recordTimes('traces', traces, 0)).toEqual(spanRows(traces).map((r) => r.start_us));
    const metrics = decodeOtlp('metrics', 'protobuf', (await metricsPayload()).protobuf);
    expect(recordTimes('metrics', metrics, 0)).toEqual(metricPoints(metrics).map((p) => p.time_us));
  });
});
