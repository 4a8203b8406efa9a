import { AppError } from '@opsplane/errors';
import { applyPatch, newIncident } from '../incident.domain';

const NOW = new Date('2026-11-30T10:00:00.000Z');
const LATER = new Date('2026-11-30T11:00:00.000Z');
const fresh = (status: 'open' | 'triggered' = 'open', dto = {}) =>
  newIncident({ id: 'i-1', tenantId: 't-1', number: 7, dto: { title: '  Disk full  ', severity: 'P3', ...dto }, status, createdBy: 'u-1', now: NOW });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as AppError).code;
  }
  return 'no error';
};

describe('newIncident', () => {
  it('starts at version 1 in its status, with the time it entered it, title trimmed and lists empty', () => {
    const e = fresh('triggered');
    expect(e).toMatchObject({ version: 1, status: 'triggered', title: 'Disk full', priorityRank: 3, triggeredAt: NOW, openedAt: null, tags: [], source: 'api' });
    expect(fresh().openedAt).toEqual(NOW);
  });

  it('refuses a severity and a priority that disagree', () => {
    expect(codeOf(() => fresh('open', { severity: 'P1', priority: 'low' }))).toBe('VALIDATION_ERROR');
  });
});

describe('applyPatch', () => {
  it('reports only what changed, in API names, and moves the severity with criticality x urgency', () => {
    const e = fresh();
    const out = applyPatch(e, { title: 'Disk full', tags: ['db'], criticality: 'critical', urgency: 'high' }, { email: 'a@x' }, LATER);
    expect(out.statusChange).toBeUndefined();
    expect(out.changes).toEqual({
      tags: { from: [], to: ['db'] },
      criticality: { from: null, to: 'critical' },
      urgency: { from: null, to: 'high' },
      severity: { from: 'P3', to: 'P1' },
    });
    expect(applyPatch(e, { tags: ['db'] }, { email: 'a@x' }, LATER).changes).toEqual({});
  });

  it('follows the state machine, stamps the time of the new status and who resolved it', () => {
    const e = fresh();
    expect(applyPatch(e, { status: 'acknowledged' }, { email: 'a@x' }, LATER)).toMatchObject({ statusChange: 'acknowledged' });
    expect(e.acknowledgedAt).toEqual(LATER);
    const resolved = applyPatch(e, { status: 'resolved' }, { email: 'sre@x' }, LATER);
    expect(resolved.changes.resolved_by).toEqual({ from: null, to: 'sre@x' });
    // Forward moves may skip states; a move back is refused.
    expect(codeOf(() => applyPatch(e, { status: 'open' }, { email: null }, LATER))).toBe('INVALID_TRANSITION');
  });

  it('refuses before changing anything: a closed incident takes no field or status; a conflict leaves the incident as it was', () => {
    const e = fresh();
    applyPatch(e, { status: 'resolved' }, { email: null }, LATER);
    applyPatch(e, { status: 'closed' }, { email: null }, LATER);
    expect(codeOf(() => applyPatch(e, { title: 'x' }, { email: null }, LATER))).toBe('INVALID_TRANSITION');
    expect(codeOf(() => applyPatch(e, { status: 'reopened' }, { email: null }, LATER))).toBe('INVALID_TRANSITION');
    expect(applyPatch(e, { comment: 'post-mortem linked' }, { email: null }, LATER).changes).toEqual({});

    const f = fresh();
    expect(codeOf(() => applyPatch(f, { title: 'New', severity: 'P1', priority: 'low' }, { email: null }, LATER))).toBe('VALIDATION_ERROR');
    expect(f.title).toBe('Disk full');
  });
});
