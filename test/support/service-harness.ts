import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CommonConfig, loadConfig } from '@opsplane/config';
import { Actor, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { createRpcClient, RpcClient } from '@opsplane/messaging';
import { serviceNamed } from '@opsplane/registry';
import { RunningService, ServiceDefinition, startService } from '@opsplane/runtime';
import { TEST_APP_PASSWORD, TEST_CP_JWT_SECRET, TEST_DATABASE_URL, TEST_JWT_SECRET, TEST_NATS_URL } from './env';

/**
 * One service alone, on the real PostgreSQL and NATS, called through the transport as the gateway
 * would: for a service's own integration specs, without booting the whole platform. Flows that
 * cross services (the gateway, auth, the control plane) keep using TestPlatform.
 */
export class ServiceHarness {
  private constructor(
    readonly service: RunningService,
    private readonly rpc: RpcClient,
    private readonly closeRpc: () => Promise<void>,
  ) {}

  /** Starts the registry's service `name` (migrations included) with the test settings and `env`. */
  static async start(name: string, env: Record<string, string> = {}): Promise<ServiceHarness> {
    Logger.overrideLogger(['error', 'fatal']);
    const entry = serviceNamed(name);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const def = (require(entry.package) as Record<string, ServiceDefinition<CommonConfig>>)[entry.definition!];
    const config = loadConfig(def.config, {
      NODE_ENV: 'test',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_APP_PASSWORD: TEST_APP_PASSWORD,
      NATS_URL: TEST_NATS_URL,
      JWT_SECRET: TEST_JWT_SECRET,
      CP_JWT_SECRET: TEST_CP_JWT_SECRET,
      MIGRATE_ON_START: 'true',
      LOG_LEVEL: 'error',
      ...env,
    });
    const service = await startService(def, { config });
    const { client, proxy } = createRpcClient(TEST_NATS_URL, `test-${name}`, 5000);
    await proxy.connect();
    return new ServiceHarness(service, client, async () => void (await proxy.close()));
  }

  /** A fresh tenant id (services trust the tenant in the request meta; no provisioning needed). */
  static tenant(): string {
    return randomUUID();
  }

  /** The meta of a tenant-plane request by a user of `role` (as the gateway builds it). */
  static as(tenant: string, role: Actor['role'] = 'owner', permissions: Actor['permissions'] = ['read', 'write']): RequestMeta {
    return {
      tenant_id: tenant,
      actor: { user_id: randomUUID(), email: `${role}@example.com`, role, auth_method: 'jwt', token_id: null, permissions, scope: 'full' },
    };
  }

  /** A request/reply call; a refusal rejects with the AppError (code, message, details). */
  call<T = unknown>(subject: RpcSubject, meta: RequestMeta, body: unknown = {}): Promise<T> {
    return this.rpc.request<T>(subject, meta, body);
  }

  async close(): Promise<void> {
    await this.closeRpc();
    await this.service.close();
  }
}
