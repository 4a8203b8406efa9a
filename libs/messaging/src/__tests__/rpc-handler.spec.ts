import { Logger } from '@nestjs/common';
import { AppError, ErrorCode } from '@opsplane/errors';
import { RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '../rpc-handler';
import { subjectMatches } from '../event-bus';

class Sut {
  @RpcHandler(RpcSubject.IncidentsGet)
  async ok(meta: RequestMeta, body: unknown) {
    return { tenant: meta.tenant_id, body };
  }

  @RpcHandler(RpcSubject.IncidentsList)
  async known() {
    throw new AppError(ErrorCode.NOT_FOUND, 'Incident INC-1 not found');
  }

  @RpcHandler(RpcSubject.IncidentsCreate)
  async unexpected(): Promise<never> {
    throw new Error('duplicate key value violates unique constraint "incidents_pkey" -- INSERT INTO incidents.incidents ...');
  }
}

describe(RpcHandler.name, () => {
  const sut = new Sut() as unknown as Record<string, (m: unknown) => Promise<unknown>>;
  const meta: RequestMeta = { tenant_id: 't1', actor: null };
  beforeAll(() => Logger.overrideLogger(false)); // the unexpected error below is logged on purpose

  it('answers a value in the ok envelope', async () => {
    await expect(sut.ok({ meta, body: { a: 1 } })).resolves.toEqual({ status: 'ok', value: { tenant: 't1', body: { a: 1 } } });
  });

  it('answers a domain error with its code and message', async () => {
    await expect(sut.known({ meta, body: {} })).resolves.toEqual({
      status: 'error',
      error: { code: ErrorCode.NOT_FOUND, message: 'Incident INC-1 not found', details: undefined },
    });
  });

  it('hides an unexpected error behind an id: no SQL or stack crosses the wire', async () => {
    const r = (await sut.unexpected({ meta, body: {} })) as { status: string; error: { code: string; message: string } };
    expect(r.status).toBe('error');
    expect(r.error.code).toBe(ErrorCode.ERROR);
    expect(r.error.message).toMatch(/^Internal error \(id [0-9a-f-]{36}\)$/);
    expect(JSON.stringify(r)).not.toMatch(/INSERT|constraint|at /);
  });

  it('rejects a message that is not {meta, body}', async () => {
    const r = (await sut.ok('nonsense')) as { status: string; error: { code: string } };
    expect(r).toMatchObject({ status: 'error', error: { code: ErrorCode.VALIDATION_ERROR } });
  });
});

describe('subjectMatches', () => {
  it('follows NATS wildcards', () => {
    expect(subjectMatches('incidents.>', 'incidents.incident.created.v1')).toBe(true);
    expect(subjectMatches('incidents.*.created.v1', 'incidents.incident.created.v1')).toBe(true);
    expect(subjectMatches('incidents.*', 'incidents.incident.created.v1')).toBe(false);
    expect(subjectMatches('incidents.>', 'incidents')).toBe(false);
    expect(subjectMatches('auth.>', 'incidents.incident.created.v1')).toBe(false);
  });
});
