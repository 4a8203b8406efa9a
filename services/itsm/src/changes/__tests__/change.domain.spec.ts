import { Actor, ChangeStatus, CHANGE_STATUSES, CreateChangeDto, UpdateChangeDto } from '@opsplane/contracts';
import { AppError } from '@opsplane/errors';
import { applyPatch, computeRisk, decide, DEFAULT_CHANGE_POLICY, newChange, updatableNextStatuses } from '../change.domain';
import { ChangeEntity } from '../change.entity';
import { toChangeView } from '../change.mapper';

const T = '00000000-0000-4000-8000-000000000001';
const user = (n: number, role: Actor['role'] = 'member'): Actor => ({
  user_id: `00000000-0000-4000-8000-00000000010${n}`,
  email: `u${n}@example.com`,
  role,
  auth_method: 'jwt',
  token_id: null,
  permissions: ['read', 'write'],
  scope: '*',
});
const requester = user(0);
const now = new Date('2026-12-01T10:00:00Z');
const policy = DEFAULT_CHANGE_POLICY;

const make = (dto: Partial<CreateChangeDto> = {}) =>
  newChange({ id: '00000000-0000-4000-8000-0000000000c1', tenantId: T, number: 7, dto: { title: ' Deploy v2 ', ...dto }, actor: requester, policy, failureRate: 0, now });
const patch = (e: ChangeEntity, p: UpdateChangeDto, actor: Actor = requester) => applyPatch(e, p, { actor, policy, failureRate: 0, now });
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as AppError).code;
  }
  return 'OK';
};

describe('a new change', () => {
  it('is numbered, pending approval under the rule its risk asks for, requested by its creator', () => {
    const v = toChangeView(make({ risk_level: 'high' }));
    expect(v).toMatchObject({ reference: 'CHG-00000007', title: 'Deploy v2', type: 'normal', change_type: 'normal', status: 'pending_approval', approval_status: 'pending' });
    expect(v.approval_rule).toEqual({ approvals: 2, manager_approvals: 1 });
    expect(v.requested_by).toBe('u0@example.com');
  });

  it('standard: pre-approved; emergency: needs a review after the fact; draft: out of approval', () => {
    expect(toChangeView(make({ type: 'standard' }))).toMatchObject({ status: 'approved', approval_status: 'approved', approval_rule: { approvals: 0 } });
    expect(make({ type: 'emergency' }).reviewRequired).toBe(true);
    expect(toChangeView(make({ status: 'draft' }))).toMatchObject({ status: 'draft', approval_status: 'not_requested' });
  });

  it('takes the requested window as the schedule and refuses a window that ends before it starts', () => {
    const e = make({ requested_start: '2026-12-02T18:00:00Z', requested_end: '2026-12-02T22:00:00Z' });
    expect(toChangeView(e)).toMatchObject({ scheduled_start: '2026-12-02T18:00:00.000Z', scheduled_end: '2026-12-02T22:00:00.000Z' });
    expect(code(() => make({ scheduled_start: '2026-12-02T18:00:00Z', scheduled_end: '2026-12-02T17:00:00Z' }))).toBe('VALIDATION_ERROR');
  });
});

describe('the state machine', () => {
  /** A change brought to `status` through the allowed path. */
  function at(status: ChangeStatus): ChangeEntity {
    const e = make({ type: 'standard', scheduled_start: '2026-12-02T18:00:00Z', scheduled_end: '2026-12-02T22:00:00Z', status: 'draft' });
    const path: Record<ChangeStatus, ChangeStatus[]> = {
      draft: [],
      pending_approval: [],
      approved: ['pending_approval'],
      scheduled: ['pending_approval', 'scheduled'],
      in_progress: ['pending_approval', 'scheduled', 'in_progress'],
      completed: ['pending_approval', 'scheduled', 'in_progress', 'completed'],
      failed: ['pending_approval', 'scheduled', 'in_progress', 'failed'],
      closed: ['pending_approval', 'scheduled', 'in_progress', 'completed', 'closed'],
      rejected: [],
      cancelled: ['cancelled'],
    };
    if (status === 'pending_approval' || status === 'rejected') {
      const n = make({ status: 'draft' });
      patch(n, { status: 'pending_approval' });
      if (status === 'rejected') decide(n, { action: 'reject' }, { actor: user(1), policy, now });
      return n;
    }
    for (const s of path[status]) patch(e, { status: s, ...(s === 'failed' ? { backout_performed: true } : {}) });
    expect(e.status).toBe(status);
    return e;
  }

  it.each(CHANGE_STATUSES.flatMap((from) => CHANGE_STATUSES.filter((to) => to !== from).map((to) => [from, to] as const)))('%s -> %s', (from, to) => {
    const e = at(from);
    const allowed = updatableNextStatuses(from).includes(to);
    const result = code(() => patch(e, { status: to, ...(to === 'failed' ? { backout_performed: false } : {}) }));
    // pending_approval on a pre-approved (standard) change goes on to approved by itself.
    expect(result).toBe(allowed ? 'OK' : 'INVALID_TRANSITION');
  });

  it('names the allowed next states, and says approvals are decided by /approval', () => {
    const e = at('pending_approval');
    try {
      patch(e, { status: 'approved' });
      throw new Error('expected a refusal');
    } catch (err) {
      expect((err as AppError).code).toBe('INVALID_TRANSITION');
      expect((err as AppError).message).toMatch(/approval/);
      expect((err as AppError).details).toMatchObject({ allowed: ['draft', 'cancelled'] });
    }
  });

  it('records the actual start and end, and whether a failed change was backed out', () => {
    const e = at('in_progress');
    expect(e.actualStart).toEqual(now);
    expect(code(() => patch(e, { status: 'failed' }))).toBe('VALIDATION_ERROR');
    patch(e, { status: 'failed', backout_performed: true, actual_end: '2026-12-02T21:00:00Z' });
    expect(toChangeView(e)).toMatchObject({ status: 'failed', backout_performed: true, actual_end: '2026-12-02T21:00:00.000Z' });
  });

  it('closes an emergency change only after its post-implementation review', () => {
    const e = make({ type: 'emergency' });
    decide(e, { action: 'approve' }, { actor: user(1), policy, now });
    patch(e, { status: 'in_progress' });
    patch(e, { status: 'completed' });
    expect(code(() => patch(e, { status: 'closed' }))).toBe('INVALID_TRANSITION');
    patch(e, { status: 'closed', review_notes: 'Root cause fixed; no side effects' });
    expect(toChangeView(e)).toMatchObject({ status: 'closed', review_notes: 'Root cause fixed; no side effects', reviewed_by: 'u0@example.com' });
  });

  it('sends an approved change back to its approvers when its window or plan changes', () => {
    const e = make({ risk_level: 'low' });
    decide(e, { action: 'approve' }, { actor: user(1), policy, now });
    expect(e.status).toBe('approved');
    const { changes } = patch(e, { scheduled_start: '2026-12-03T18:00:00Z', scheduled_end: '2026-12-03T20:00:00Z' });
    expect(changes.status).toEqual({ from: 'approved', to: 'pending_approval' });
    expect(toChangeView(e)).toMatchObject({ status: 'pending_approval', approval_status: 'pending', approvals: [] });
  });
});

describe('approvals', () => {
  it('refuses the requester and counts each approver once', () => {
    const e = make({ risk_level: 'high' });
    expect(code(() => decide(e, { action: 'approve' }, { actor: requester, policy, now }))).toBe('FORBIDDEN');
    expect(decide(e, { action: 'approve' }, { actor: user(1), policy, now })).toMatchObject({ ignored: false });
    expect(decide(e, { action: 'approve' }, { actor: user(1), policy, now })).toEqual({ ignored: true });
    expect(e.approvals).toHaveLength(1);
    expect(e.status).toBe('pending_approval');
  });

  it('high risk: two approvers, one of them a change manager (admin, owner or CAB)', () => {
    const e = make({ risk_level: 'high' });
    decide(e, { action: 'approve' }, { actor: user(1), policy, now });
    decide(e, { action: 'approve' }, { actor: user(2), policy, now });
    expect(e.status).toBe('pending_approval');
    decide(e, { action: 'approve' }, { actor: user(3, 'admin'), policy, now });
    expect(toChangeView(e)).toMatchObject({ status: 'approved', approval_status: 'approved' });

    const cab = { ...policy, cab: [user(4).user_id!] };
    const f = make({ risk_level: 'high' });
    decide(f, { action: 'approve' }, { actor: user(1), policy: cab, now });
    decide(f, { action: 'approve' }, { actor: user(4), policy: cab, now });
    expect(f.status).toBe('approved');
  });

  it('a rejection stops it; a decision on a change not pending approval is refused', () => {
    const e = make({ risk_level: 'high' });
    decide(e, { action: 'approve' }, { actor: user(3, 'admin'), policy, now });
    decide(e, { action: 'reject', comments: 'not in this freeze' }, { actor: user(1), policy, now });
    expect(toChangeView(e)).toMatchObject({ status: 'rejected', approval_status: 'rejected' });
    expect(code(() => decide(e, { action: 'approve' }, { actor: user(2), policy, now }))).toBe('INVALID_TRANSITION');
  });

  it('emergency: one approver of any role suffices', () => {
    const e = make({ type: 'emergency', risk_level: 'critical' });
    decide(e, { action: 'approve' }, { actor: user(1), policy, now });
    expect(e.status).toBe('approved');
  });
});

describe('conflicts and the computed risk', () => {
  const conflict = { kind: 'freeze' as const, id: '00000000-0000-4000-8000-0000000000f1', reference: null, title: 'Year-end freeze', start: '2026-12-20T00:00:00.000Z', end: '2027-01-02T00:00:00.000Z', ci_ids: [] };

  it('a change with conflicts is approved only by an admin who gives a reason', () => {
    const e = make({ risk_level: 'low' });
    e.conflicts = [conflict];
    expect(code(() => decide(e, { action: 'approve' }, { actor: user(1), policy, now }))).toBe('CONFLICT');
    expect(code(() => decide(e, { action: 'approve', override_reason: 'security fix' }, { actor: user(1), policy, now }))).toBe('FORBIDDEN');
    const out = decide(e, { action: 'approve', override_reason: 'security fix' }, { actor: user(2, 'admin'), policy, now });
    expect(out).toMatchObject({ ignored: false, approval: { override_reason: 'security fix' } });
    expect(e.status).toBe('approved');
    // A rejection needs no override.
    const f = make({ risk_level: 'low' });
    f.conflicts = [conflict];
    expect(code(() => decide(f, { action: 'reject' }, { actor: user(1), policy, now }))).toBe('OK');
  });

  it('scores the type, the CIs, a missing backout plan and the failure history', () => {
    expect(computeRisk({ type: 'standard', ciCount: 0, hasBackout: false, failureRate: 0 })).toEqual({ score: 5, level: 'low' });
    expect(computeRisk({ type: 'normal', ciCount: 1, hasBackout: true, failureRate: 0 })).toEqual({ score: 25, level: 'medium' });
    expect(computeRisk({ type: 'emergency', ciCount: 10, hasBackout: false, failureRate: 0.5 })).toEqual({ score: 85, level: 'critical' });
    const e = make({ ci_ids: ['a'], backout_plan: 'undo' });
    expect(toChangeView(e)).toMatchObject({ risk_score: 25, computed_risk_level: 'medium' });
    const { changes } = patch(e, { backout_plan: null });
    expect(changes.risk_score).toEqual({ from: 25, to: 40 });
  });
});
