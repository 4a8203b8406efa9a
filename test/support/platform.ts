import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CreateUserDto, Role, RpcSubject, systemActor, systemOperator, TenantView, TokenPairView, UserView } from '@opsplane/contracts';
import { withLocalSecrets } from '@opsplane/config';
import { RunningPlatform, startPlatform } from '@opsplane/standalone';
import { TEST_OPERATOR, TEST_APP_PASSWORD, TEST_CP_JWT_SECRET, TEST_DATABASE_URL, TEST_JWT_SECRET, TEST_NATS_URL, TEST_REDIS_URL } from './env';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  tenant?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A whole platform (gateway + services) in the test process, on the real NATS and PostgreSQL. */
export class TestPlatform {
  private constructor(readonly platform: RunningPlatform) {}

  static async start(env: Record<string, string> = {}, o: { omit?: string[]; secretsFile?: string } = {}): Promise<TestPlatform> {
    Logger.overrideLogger(['error', 'fatal']);
    const full: NodeJS.ProcessEnv = {
      NODE_ENV: 'test',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_APP_PASSWORD: TEST_APP_PASSWORD,
      NATS_URL: TEST_NATS_URL,
      REDIS_URL: TEST_REDIS_URL,
      JWT_SECRET: TEST_JWT_SECRET,
      CP_JWT_SECRET: TEST_CP_JWT_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      MIGRATE_ON_START: 'true',
      LOG_LEVEL: 'error',
      API_TOKEN_CACHE_MS: '1000',
      CP_ADMIN_EMAIL: TEST_OPERATOR.email,
      CP_ADMIN_PASSWORD: TEST_OPERATOR.password,
      SUSPENSION_POLL_MS: '500',
      ...env,
    };
    for (const k of o.omit ?? []) delete full[k];
    // As `npm start` does: secrets the environment does not give come from (or go to) a secrets file.
    const platform = await startPlatform({ env: o.secretsFile ? withLocalSecrets(full, o.secretsFile) : full });
    return new TestPlatform(platform);
  }

  get url(): string {
    return this.platform.url;
  }

  async close(): Promise<void> {
    await this.platform.close();
  }

  async call<T = any>(method: string, path: string, o: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.tenant) headers['x-tenant-id'] = o.tenant;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** A fresh tenant per test (so tests never see each other's rows), with its owner logged in. */
  async tenant(name = 'Acme'): Promise<TestTenant> {
    const email = `owner-${randomUUID().slice(0, 8)}@example.com`;
    const password = `pw-${randomUUID()}`;
    const t = await this.platform.rpc.request<TenantView>(
      RpcSubject.CpCreateTenant,
      { tenant_id: '', actor: null, operator: systemOperator() },
      { name, owner_email: email, owner_password: password },
      30_000,
    );
    const tenant = new TestTenant(this, t.id);
    const owner = await tenant.login(email, password);
    tenant.owner = { ...owner, email, password };
    return tenant;
  }
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  token: string;
  refresh_token: string;
}

export class TestTenant {
  owner!: TestUser;

  constructor(
    readonly p: TestPlatform,
    readonly id: string,
  ) {}

  async login(email: string, password: string): Promise<TestUser> {
    const r = await this.p.call<{ data: TokenPairView }>('POST', '/api/auth/token', { tenant: this.id, body: { email, password } });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    const d = r.body.data;
    return { id: d.user.id, email, password, role: d.user.role, token: d.token, refresh_token: d.refresh_token };
  }

  async user(role: Role): Promise<TestUser> {
    const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
    const password = `pw-${randomUUID()}`;
    const dto: CreateUserDto = { tenant_id: this.id, email, password, role };
    await this.p.platform.rpc.request<UserView>(RpcSubject.AuthCreateUser, { tenant_id: '', actor: systemActor() }, dto);
    return this.login(email, password);
  }

  /** Calls the API as the owner (or `as`), with this tenant's header. */
  call<T = any>(method: string, path: string, o: CallOptions & { as?: TestUser } = {}): Promise<ApiResponse<T>> {
    return this.p.call<T>(method, path, { tenant: this.id, token: (o.as ?? this.owner).token, ...o });
  }

  /** A configuration item of this tenant (incidents and changes name items by id or name); answers its id. */
  async ci(name: string, cls = 'service'): Promise<string> {
    const r = await this.call('POST', '/api/cmdb/items', { body: { name, class: cls } });
    if (r.status !== 201) throw new Error(`CI create failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data.id;
  }

  async incident(body: Record<string, unknown> = {}, as?: TestUser): Promise<any> {
    const r = await this.call('POST', '/api/incidents', { body: { title: 'Something is wrong', severity: 'P3', ...body }, as });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data;
  }
}
