import { randomUUID } from 'node:crypto';
import { TestTenant } from './platform';

/** Polls `read` until `done` holds (the gateway answers once telemetry is queued; the telemetry service writes it just after). */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A fresh API token of the tenant (what collectors and Prometheus servers are given). */
export async function apiToken(t: TestTenant, permissions = ['read', 'write']): Promise<string> {
  const r = await t.call('POST', '/api/auth/tokens', { body: { name: `telemetry-${randomUUID().slice(0, 6)}`, permissions } });
  if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data.token as string;
}
