import { AlertIntakeDto } from '@opsplane/contracts';
import { alertsOf, ciRefsOf, decide, DEFAULT_ALERT_SETTINGS, fingerprintOf, IncomingAlert, KnownAlert, settingsOf, severityOf, titleOf } from '../alert.domain';

const now = new Date('2026-05-01T12:00:00Z');
const alert = (o: Partial<IncomingAlert> = {}): IncomingAlert => ({
  fingerprint: 'fp1',
  status: 'firing',
  labels: { alertname: 'HighLatency' },
  annotations: {},
  startsAt: new Date('2026-05-01T11:00:00Z'),
  endsAt: null,
  source: 'prometheus',
  ...o,
});
const known = (o: Partial<KnownAlert> = {}): KnownAlert => ({
  status: 'firing',
  startsAt: new Date('2026-05-01T11:00:00Z'),
  endsAt: null,
  incidentStatus: 'triggered',
  incidentResolvedAt: null,
  ...o,
});
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('alert.domain', () => {
  describe(alertsOf.name, () => {
    it("reads Alertmanager's alerts: fingerprint, labels with the common ones, Go's zero endsAt as not ended", () => {
      const dto = {
        version: '4',
        status: 'firing',
        commonLabels: { team: 'shop' },
        alerts: [{ status: 'firing', labels: { alertname: 'A' }, startsAt: '2026-05-01T11:00:00Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'abc' }],
      } as AlertIntakeDto;
      const [a] = alertsOf(dto, now);
      expect(a).toMatchObject({ fingerprint: 'abc', status: 'firing', labels: { team: 'shop', alertname: 'A' }, endsAt: null, source: 'prometheus' });
      expect(a.startsAt.toISOString()).toBe('2026-05-01T11:00:00.000Z');
    });

    it('derives a stable fingerprint from the labels when none is given', () => {
      expect(fingerprintOf({ b: '2', a: '1' })).toBe(fingerprintOf({ a: '1', b: '2' }));
      expect(fingerprintOf({ a: '1' })).not.toBe(fingerprintOf({ a: '2' }));
    });

    it('reads the plain form: dedup_key, title as the summary, source api by default', () => {
      const [a] = alertsOf({ status: 'resolved', dedup_key: 'k1', title: 'Disk full' } as AlertIntakeDto, now);
      expect(a).toMatchObject({ fingerprint: 'k1', status: 'resolved', source: 'api', endsAt: now });
      expect(titleOf(a)).toBe('Disk full');
    });
  });

  it('titles an incident by summary, else alertname, else fingerprint', () => {
    expect(titleOf(alert({ annotations: { summary: 'Latency high' } }))).toBe('Latency high');
    expect(titleOf(alert())).toBe('HighLatency');
    expect(titleOf(alert({ labels: {} }))).toBe('fp1');
  });

  it('maps the severity label through the settings, P1..P4 as is, else the default', () => {
    const s = DEFAULT_ALERT_SETTINGS;
    expect(severityOf(alert({ labels: { severity: 'critical' } }), s)).toBe('P1');
    expect(severityOf(alert({ labels: { severity: 'Error' } }), s)).toBe('P2');
    expect(severityOf(alert({ labels: { severity: 'warning' } }), s)).toBe('P3');
    expect(severityOf(alert({ labels: { severity: 'info' } }), s)).toBe('P4');
    expect(severityOf(alert({ labels: { severity: 'p2' } }), s)).toBe('P2');
    expect(severityOf(alert({ labels: { severity: 'weird' } }), s)).toBe('P3');
    expect(severityOf(alert(), s)).toBe('P3');
    expect(severityOf(alert({ severity: 'critical', labels: { severity: 'info' } }), s)).toBe('P1');
    expect(severityOf(alert({ labels: { prio: 'page' } }), settingsOf({ severity_label: 'prio', severity_map: { PAGE: 'P1' }, default_severity: 'P4' }))).toBe('P1');
  });

  it('names the items of the CI labels in order, without repeats', () => {
    expect(ciRefsOf(alert({ labels: { instance: 'db:9100', ci: 'checkout', service: 'checkout' } }), DEFAULT_ALERT_SETTINGS)).toEqual(['checkout', 'db:9100']);
  });

  describe(decide.name, () => {
    const s = { reopen_window_minutes: 15 };
    it('opens an incident for a new firing alert and counts repeats', () => {
      expect(decide(alert(), null, s, now)).toEqual({ kind: 'create' });
      expect(decide(alert(), known(), s, now)).toEqual({ kind: 'repeat' });
    });

    it('keeps a flapping alert on its incident: open, or resolved within the window; else a new incident', () => {
      const resolvedLink = { status: 'resolved' as const, endsAt: minutesAgo(10) };
      const again = alert({ startsAt: minutesAgo(5) });
      expect(decide(again, known(resolvedLink), s, now)).toEqual({ kind: 'refire' });
      expect(decide(again, known({ ...resolvedLink, incidentStatus: 'resolved', incidentResolvedAt: minutesAgo(10) }), s, now)).toEqual({ kind: 'reopen' });
      expect(decide(again, known({ ...resolvedLink, incidentStatus: 'resolved', incidentResolvedAt: minutesAgo(20) }), s, now)).toEqual({ kind: 'create' });
      expect(decide(again, known({ ...resolvedLink, incidentStatus: 'resolved', incidentResolvedAt: minutesAgo(1) }), { reopen_window_minutes: 0 }, now)).toEqual({ kind: 'create' });
      expect(decide(again, known({ ...resolvedLink, incidentStatus: 'closed', incidentResolvedAt: minutesAgo(1) }), s, now)).toEqual({ kind: 'create' });
    });

    it('ignores a late retry of an episode that has resolved since', () => {
      expect(decide(alert({ startsAt: minutesAgo(60) }), known({ status: 'resolved', endsAt: minutesAgo(10) }), s, now).kind).toBe('ignore');
    });

    it('resolves a firing alert once; ignores an unknown or already resolved one', () => {
      const resolved = alert({ status: 'resolved', endsAt: minutesAgo(1) });
      expect(decide(resolved, known(), s, now)).toEqual({ kind: 'resolve' });
      expect(decide(resolved, known({ status: 'resolved' }), s, now).kind).toBe('ignore');
      expect(decide(resolved, null, s, now).kind).toBe('ignore');
    });
  });
});
