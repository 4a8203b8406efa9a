import { createHash } from 'node:crypto';
import { RequestMeta, RpcSubject, VerifiedApiToken } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';

interface Entry {
  expires: number;
  result: Promise<CheckedApiToken>;
}

/** An API token as the auth service vouched for it, and when it was asked (revocations after that time win). */
export interface CheckedApiToken {
  token: VerifiedApiToken;
  checked_at: number;
}

/**
 * API tokens are checked by the auth service and the answer (good or bad) is remembered for
 * `ttlMs`, so a revocation takes effect at every gateway within that time and a busy client
 * costs one auth round trip per window. Only the token's hash is kept as the key.
 */
export class ApiTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly rpc: RpcClient,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Forgets every answer (an access change: a token revoked, a user removed). */
  clear(): void {
    this.entries.clear();
  }

  verify(token: string, traceparent?: string): Promise<CheckedApiToken> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.result;
    const meta: RequestMeta = { tenant_id: '', actor: null, traceparent };
    const result = this.rpc.request<VerifiedApiToken>(RpcSubject.AuthVerifyApiToken, meta, { token }).then((v) => ({ token: v, checked_at: now }));
    if (this.ttlMs > 0) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, { expires: now + this.ttlMs, result });
      // An outage is not an answer: do not remember it.
      result.catch((e: unknown) => {
        if (!(e instanceof AppError) || e.code === ErrorCode.UNAVAILABLE || e.code === ErrorCode.ERROR) this.entries.delete(key);
      });
    }
    return result;
  }
}
