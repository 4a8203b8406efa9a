import { randomUUID } from 'node:crypto';
import { RpcSubject } from '@opsplane/contracts';
import { ServiceHarness } from '../support/service-harness';

/** The itsm service alone, through the transport (the whole-platform specs cover the gateway). */
describe('itsm: changes', () => {
  let svc: ServiceHarness;

  beforeAll(async () => {
    svc = await ServiceHarness.start('itsm');
  });
  afterAll(async () => {
    await svc.close();
  });

  it('creates, gets and lists changes, newest first', async () => {
    const as = ServiceHarness.as(ServiceHarness.tenant());
    const first = await svc.call<{ id: string; title: string }>(RpcSubject.ItsmCreateChange, as, { title: 'First' });
    const second = await svc.call<{ id: string }>(RpcSubject.ItsmCreateChange, as, { title: 'Second' });
    await expect(svc.call(RpcSubject.ItsmGetChange, as, { id: first.id })).resolves.toMatchObject({ id: first.id, title: 'First' });
    const page = await svc.call<{ items: { id: string }[]; total: number }>(RpcSubject.ItsmListChanges, as, {});
    expect(page.total).toBe(2);
    expect(page.items.map((x) => x.id)).toEqual([second.id, first.id]);
  });

  it("keeps each tenant's changes apart", async () => {
    const a = ServiceHarness.as(ServiceHarness.tenant());
    const b = ServiceHarness.as(ServiceHarness.tenant());
    const mine = await svc.call<{ id: string }>(RpcSubject.ItsmCreateChange, a, { title: 'Private' });
    await expect(svc.call(RpcSubject.ItsmGetChange, b, { id: mine.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(svc.call(RpcSubject.ItsmListChanges, b, {})).resolves.toMatchObject({ total: 0 });
  });

  it('refuses bad input and readers, writing nothing; a retried create with its Idempotency-Key writes once', async () => {
    const tenant = ServiceHarness.tenant();
    const as = ServiceHarness.as(tenant);
    await expect(svc.call(RpcSubject.ItsmCreateChange, as, { title: '' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(svc.call(RpcSubject.ItsmCreateChange, ServiceHarness.as(tenant, 'viewer'), { title: 'No' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const key = randomUUID();
    const once = await svc.call<{ id: string }>(RpcSubject.ItsmCreateChange, { ...as, idempotency_key: key }, { title: 'Once' });
    const again = await svc.call<{ id: string }>(RpcSubject.ItsmCreateChange, { ...as, idempotency_key: key }, { title: 'Once' });
    expect(again.id).toBe(once.id);
    await expect(svc.call(RpcSubject.ItsmListChanges, as, {})).resolves.toMatchObject({ total: 1 });
  });
});
