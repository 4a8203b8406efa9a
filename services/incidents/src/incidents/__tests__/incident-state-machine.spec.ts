import { INCIDENT_STATUSES, IncidentStatus } from '@opsplane/contracts';
import { allowedNextStatuses, canTransition } from '../incident-state-machine';

describe('incident state machine', () => {
  const allowed: [IncidentStatus, IncidentStatus[]][] = [
    ['triggered', ['open', 'acknowledged', 'investigating', 'resolved', 'closed']],
    ['open', ['acknowledged', 'investigating', 'resolved', 'closed']],
    ['acknowledged', ['investigating', 'resolved', 'closed']],
    ['investigating', ['resolved', 'closed']],
    ['resolved', ['closed', 'reopened']],
    ['reopened', ['investigating', 'resolved', 'closed']],
    ['closed', []],
  ];

  it.each(allowed)('from %s allows exactly %j', (from, to) => {
    expect(allowedNextStatuses(from).sort()).toEqual([...to].sort());
    for (const target of INCIDENT_STATUSES) {
      expect(canTransition(from, target)).toBe(to.includes(target));
    }
  });

  it('never moves backwards along the main line', () => {
    expect(canTransition('investigating', 'open')).toBe(false);
    expect(canTransition('resolved', 'investigating')).toBe(false);
    expect(canTransition('acknowledged', 'triggered')).toBe(false);
  });

  it('treats closed as final', () => {
    for (const target of INCIDENT_STATUSES) expect(canTransition('closed', target)).toBe(false);
  });
});
