import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque credentials carry their tenant (so a bare API token finds its tenant's rows under
 * row-level security) and a 240-bit secret. Only the SHA-256 of the whole token is stored.
 *   API token:     ops_pat_<tenant hex>_<secret>
 *   refresh token: ops_rt_<tenant hex>_<secret>
 *   invitation:    ops_inv_<tenant hex>_<secret>
 */
export const API_TOKEN_PREFIX = 'ops_pat_';
export const REFRESH_TOKEN_PREFIX = 'ops_rt_';
export const INVITATION_TOKEN_PREFIX = 'ops_inv_';

const SHAPE = /^(ops_pat_|ops_rt_|ops_inv_)([0-9a-f]{32})_([A-Za-z0-9_-]{40})$/;

export function mintToken(prefix: string, tenantId: string): string {
  return `${prefix}${tenantId.replace(/-/g, '')}_${randomBytes(30).toString('base64url')}`;
}

export function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface ParsedToken {
  prefix: string;
  tenantId: string;
}

export function parseToken(token: string): ParsedToken | null {
  const m = SHAPE.exec(token);
  if (!m) return null;
  const h = m[2];
  return { prefix: m[1], tenantId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
}


/** What the UI shows of a token after creation: enough to recognise it, useless to use it. */
export function displayPrefix(token: string): string {
  // The secret is the last 40 characters (base64url, which may itself contain '_').
  return `${API_TOKEN_PREFIX}…${token.slice(-6)}`;
}
