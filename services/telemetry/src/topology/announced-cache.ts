export interface AnnouncedCacheOptions {
  /** How long an announcement holds: after it, the same key is announced again. */
  ttlMs: number;
  /** Keys kept per tenant (the least recently seen go first). */
  maxKeysPerTenant: number;
  /** Tenants kept (the least recently seen go first, with all their keys). */
  maxTenants: number;
}

export const ANNOUNCED_DEFAULTS: AnnouncedCacheOptions = { ttlMs: 24 * 3600_000, maxKeysPerTenant: 10_000, maxTenants: 1000 };

/**
 * What was announced per tenant recently, in memory and bounded: least recently used out, tenants and keys alike
 * (a JavaScript Map keeps insertion order, so re-inserting a key makes it the newest). Forgetting is safe: what is
 * forgotten is announced again, and announcements are idempotent downstream.
 */
export class AnnouncedCache {
  /** tenant → key → when it was announced (ms). */
  private readonly tenants = new Map<string, Map<string, number>>();

  constructor(private readonly o: AnnouncedCacheOptions = ANNOUNCED_DEFAULTS) {}

  /** Whether `key` was announced for `tenant` less than the TTL ago (a hit counts as a use). */
  has(tenant: string, key: string, now: number): boolean {
    const keys = this.use(tenant, false);
    const at = keys?.get(key);
    if (!keys || at === undefined) return false;
    keys.delete(key);
    if (now - at >= this.o.ttlMs) return false;
    keys.set(key, at);
    return true;
  }

  /** Records `keys` as announced for `tenant` at `now`. */
  add(tenant: string, keys: Iterable<string>, now: number): void {
    const known = this.use(tenant, true)!;
    for (const k of keys) {
      known.delete(k);
      known.set(k, now);
      if (known.size > this.o.maxKeysPerTenant) known.delete(known.keys().next().value as string);
    }
  }

  /** Keys held for a tenant (for tests and metrics). */
  size(tenant: string): number {
    return this.tenants.get(tenant)?.size ?? 0;
  }

  get tenantCount(): number {
    return this.tenants.size;
  }

  /** The tenant's keys, made its most recently used (created when `create`). */
  private use(tenant: string, create: boolean): Map<string, number> | undefined {
    let keys = this.tenants.get(tenant);
    if (keys) this.tenants.delete(tenant);
    else if (create) keys = new Map();
    else return undefined;
    this.tenants.set(tenant, keys);
    if (this.tenants.size > this.o.maxTenants) this.tenants.delete(this.tenants.keys().next().value as string);
    return keys;
  }
}
