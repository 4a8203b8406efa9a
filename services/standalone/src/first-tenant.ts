import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RpcSubject, systemOperator, TenantView } from '@opsplane/contracts';
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
  const t = await rpc.request<TenantView>(
    RpcSubject.CpCreateTenant,
    { tenant_id: '', actor: null, operator: systemOperator() },
    { name: 'Default', slug: 'default', owner_email: email, owner_password: password, owner_name: 'Admin' },
    30_000,
  );
  const first: FirstTenant = { tenant_id: t.id, name: t.name, email, password };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(first, null, 2), { mode: 0o600 });
  return first;
}

export interface FirstOperator {
  email: string;
  password: string;
}

/** The first control-plane operator of a fresh data directory (random password, kept 0600). */
export function firstOperator(file: string): FirstOperator {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as FirstOperator;
  const op: FirstOperator = { email: 'operator@opsplane.local', password: randomBytes(12).toString('base64url') };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(op, null, 2), { mode: 0o600 });
  return op;
}
