import { EventSubject } from '@opsplane/contracts';
import { filtersOf } from './consumer';

describe('filtersOf', () => {
  it('subscribes to the subjects of the streams that capture the consumed subjects, one entry per stream', () => {
    expect(filtersOf([EventSubject.IncidentCreated, EventSubject.IncidentUpdated, EventSubject.CiCreated])).toEqual([['incidents.>'], ['cmdb.>']]);
  });

  it('never the whole telemetry area: the ingest queue’s stream holds telemetry.ingest.>', () => {
    expect(filtersOf([EventSubject.TelemetryTopologyObserved])).toEqual([['telemetry.topology.>']]);
    expect(filtersOf(Object.values(EventSubject)).flat()).not.toContain('telemetry.>');
  });
});
