import { Logger } from '@nestjs/common';
import { IsString, MaxLength } from 'class-validator';
import { AppError, ErrorCode } from '@opsplane/errors';
import { Actor, RequestMeta, RpcSubject, systemActor } from '@opsplane/contracts';
import { RpcHandler } from '../rpc-handler';
import { subjectMatches } from '../event-bus';

class GreetDto {
  @IsString()
  @MaxLength(10)
  name!: string;
}

class Sut {
  @RpcHandler(RpcSubject.IncidentsGet, { body: GreetDto, requires: 'read' })
  async ok(meta: RequestMeta, body: GreetDto) {
    return { tenant: meta.tenant_id, body, typed: body instanceof GreetDto };
  }

  @RpcHandler(RpcSubject.IncidentsList, { requires: 'public' })
  async known() {
    throw new AppError(ErrorCode.NOT_FOUND, 'Incident INC-1 not found');
  }

  @RpcHandler(RpcSubject.IncidentsCreate, { requires: 'public' })
  async unexpected(): Promise<never> {
    throw new Error('duplicate key value violates unique constraint "incidents_pkey" -- INSERT INTO incidents.incidents ...');
  }

  @RpcHandler(RpcSubject.IncidentsUpdate, { requires: 'write' })
  async write() {
    return 'written';
  }

  @RpcHandler(RpcSubject.IncidentsPurgeTenant, { requires: 'system' })
  async system() {
    return 'done';
  }

  @RpcHandler(RpcSubject.CpListTenants, { requires: 'operator' })
  async operator() {
    return 'listed';
  }
}

const TENANT = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const user = (role: Actor['role'], permissions: Actor['permissions'] = ['read', 'write']): Actor => ({
  user_id: '00000000-0000-0000-0000-000000000001',
  email: 'u@example.com',
  role,
  auth_method: 'jwt',
  token_id: null,
  permissions,
  scope: 'full',
});

describe(RpcHandler.name, () => {
  const sut = new Sut() as unknown as Record<string, (m: unknown) => Promise<{ status: string; value?: unknown; error?: { code: string; message: string; details?: unknown } }>>;
  const meta: RequestMeta = { tenant_id: TENANT, actor: user('member') };
  beforeAll(() => Logger.overrideLogger(false)); // the unexpected error below is logged on purpose

  it('hands the handler a validated instance of its body class, unknown properties stripped', async () => {
    await expect(sut.ok({ meta, body: { name: 'Ada', extra: 1 } })).resolves.toEqual({
      status: 'ok',
      value: { tenant: TENANT, body: { name: 'Ada' }, typed: true },
    });
  });

  it('answers a body that does not fit its class with a validation error naming the field', async () => {
    const r = await sut.ok({ meta, body: { name: 'a name far too long' } });
    expect(r).toMatchObject({ status: 'error', error: { code: ErrorCode.VALIDATION_ERROR, details: { fields: [{ field: 'name' }] } } });
  });

  it('answers a domain error with its code and message', async () => {
    await expect(sut.known({ meta, body: {} })).resolves.toEqual({
      status: 'error',
      error: { code: ErrorCode.NOT_FOUND, message: 'Incident INC-1 not found', details: undefined },
    });
  });

  it('hides an unexpected error behind an id: no SQL or stack crosses the wire', async () => {
    const r = await sut.unexpected({ meta, body: {} });
    expect(r.status).toBe('error');
    expect(r.error!.code).toBe(ErrorCode.ERROR);
    expect(r.error!.message).toMatch(/^Internal error \(id [0-9a-f-]{36}\)$/);
    expect(JSON.stringify(r)).not.toMatch(/INSERT|constraint|at /);
  });

  it('rejects a message that is not {meta, body}', async () => {
    const r = await sut.ok('nonsense');
    expect(r).toMatchObject({ status: 'error', error: { code: ErrorCode.VALIDATION_ERROR } });
  });

  it('lets through only who the handler declares', async () => {
    const code = async (name: string, m: RequestMeta) => (await sut[name]({ meta: m, body: {} })).error?.code ?? 'ok';
    expect(await code('ok', { tenant_id: TENANT, actor: null })).toBe(ErrorCode.UNAUTHORIZED);
    expect(await code('ok', { tenant_id: 'not-a-tenant', actor: user('member') })).toBe(ErrorCode.UNAUTHORIZED);
    expect(await code('write', { tenant_id: TENANT, actor: user('viewer') })).toBe(ErrorCode.FORBIDDEN);
    expect(await code('write', { tenant_id: TENANT, actor: user('admin', ['read']) })).toBe(ErrorCode.FORBIDDEN);
    expect(await code('write', meta)).toBe('ok');
    expect(await code('system', meta)).toBe(ErrorCode.FORBIDDEN);
    expect(await code('system', { tenant_id: '', actor: systemActor() })).toBe('ok');
    expect(await code('operator', meta)).toBe(ErrorCode.UNAUTHORIZED);
    expect(await code('operator', { tenant_id: '', actor: null, operator: { operator_id: 'o', email: 'o@example.com' } })).toBe('ok');
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
