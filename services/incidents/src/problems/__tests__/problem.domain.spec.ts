import { PROBLEM_STATUSES, ProblemStatus } from '@opsplane/contracts';
import { AppError } from '@opsplane/errors';
import { allowedNextProblemStatuses, applyProblemPatch, newProblem } from '../problem.domain';

const now = new Date('2026-12-01T10:00:00Z');
const make = (status: ProblemStatus) => {
  const p = newProblem({ id: '00000000-0000-4000-8000-0000000000a1', tenantId: '00000000-0000-4000-8000-000000000001', number: 1, dto: { title: 'Leak', workaround: 'restart' }, createdBy: null, now });
  p.status = status;
  return p;
};

describe('the problem lifecycle', () => {
  it.each(PROBLEM_STATUSES.flatMap((from) => PROBLEM_STATUSES.filter((to) => to !== from).map((to) => [from, to] as const)))('%s -> %s', (from, to) => {
    const allowed = allowedNextProblemStatuses(from).includes(to);
    let code = 'OK';
    try {
      applyProblemPatch(make(from), { status: to }, now);
    } catch (e) {
      code = (e as AppError).code;
    }
    expect(code).toBe(allowed ? 'OK' : 'INVALID_TRANSITION');
  });

  it('forward moves may skip states; resolved reopens to investigating; closed is final', () => {
    expect(allowedNextProblemStatuses('new')).toEqual(['investigating', 'known_error', 'resolved', 'closed']);
    expect(allowedNextProblemStatuses('resolved')).toEqual(['closed', 'investigating']);
    expect(allowedNextProblemStatuses('closed')).toEqual([]);
  });

  it('a known error is flagged; resolving stamps the time and says so', () => {
    const p = make('investigating');
    expect(applyProblemPatch(p, { status: 'known_error' }, now).changes.known_error).toEqual({ from: false, to: true });
    expect(applyProblemPatch(p, { status: 'resolved', solution: 'fixed' }, now)).toMatchObject({ resolved: true });
    expect(p.resolvedAt).toEqual(now);
  });
});
