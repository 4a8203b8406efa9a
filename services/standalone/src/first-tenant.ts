import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ProvisionedTenantView, RpcSubject, systemActor } from '@opsplane/contracts';
import { RpcClient } from '@opsplane/messaging';

export interface FirstTenant {
  tenant_id: string;
  name: string;
  email: string;
  password: string;
}

/**
 * On the first start of a fresh data directory, provisions a tenant and its owner with a random
 * password, and keeps the credentials (mode 0600) so that later starts can print them again.
 */
export async function ensureFirstTenant(rpc: RpcClient, file: string): Promise<FirstTenant> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as FirstTenant;
  const password = randomBytes(12).toString('base64url');
  const email = 'admin@opsplane.local';
  const t = await rpc.request<ProvisionedTenantView>(
    RpcSubject.AuthProvisionTenant,
    { tenant_id: '', actor: systemActor() },
    { name: 'Default', slug: 'default', admin_email: email, admin_password: password, admin_name: 'Admin' },
  );
  const first: FirstTenant = { tenant_id: t.tenant_id, name: t.name, email, password };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(first, null, 2), { mode: 0o600 });
  return first;
}
