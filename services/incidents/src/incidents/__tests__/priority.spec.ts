import { matrixRank, priorityOf, resolvePriority, severityOf } from '../priority';

describe('priority', () => {
  it('maps severity and priority onto one scale', () => {
    expect([1, 2, 3, 4].map((r) => severityOf(r as 1))).toEqual(['P1', 'P2', 'P3', 'P4']);
    expect([1, 2, 3, 4].map((r) => priorityOf(r as 1))).toEqual(['critical', 'high', 'medium', 'low']);
    expect(resolvePriority({ severity: 'P2' })).toEqual({ ok: true, rank: 2 });
    expect(resolvePriority({ priority: 'critical' })).toEqual({ ok: true, rank: 1 });
    expect(resolvePriority({ severity: 'P1', priority: 'critical' })).toEqual({ ok: true, rank: 1 });
  });

  it('rejects a severity and a priority that disagree', () => {
    const r = resolvePriority({ severity: 'P1', priority: 'low' });
    expect(r.ok).toBe(false);
  });

  it('follows the impact x urgency matrix when neither is given', () => {
    expect(matrixRank('critical', 'critical')).toBe(1);
    expect(matrixRank('major', 'high')).toBe(2);
    expect(matrixRank('major', 'critical')).toBe(1);
    expect(matrixRank('moderate', 'medium')).toBe(3);
    expect(matrixRank('minor', 'low')).toBe(4);
    expect(matrixRank('critical', 'low')).toBe(2);
    expect(matrixRank(undefined, undefined)).toBe(3);
    expect(matrixRank('minor', undefined)).toBe(3);
    expect(resolvePriority({ criticality: 'major', urgency: 'high' })).toEqual({ ok: true, rank: 2 });
  });

  it('lets an explicit severity win over the matrix', () => {
    expect(resolvePriority({ severity: 'P4', criticality: 'critical', urgency: 'critical' })).toEqual({ ok: true, rank: 4 });
  });
});
