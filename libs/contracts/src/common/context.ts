/** Tenant-plane roles, from most to least powerful. */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['read', 'write'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export type AuthMethod = 'jwt' | 'api_token' | 'system';

/** Who is acting. Set by the gateway from the verified credential; services trust it. */
export interface Actor {
  user_id: string | null;
  email: string | null;
  role: Role;
  auth_method: AuthMethod;
  token_id: string | null;
  permissions: Permission[];
  scope: string;
}

/** Travels with every request/reply message (in the payload; mirrored in NATS headers). */
/** A control-plane operator (set by the gateway from a verified control-plane token). */
export interface Operator {
  operator_id: string;
  email: string;
}

export interface RequestMeta {
  tenant_id: string;
  actor: Actor | null;
  /** Only on control-plane requests. */
  operator?: Operator;
  traceparent?: string;
  request_id?: string;
  /** The client's Idempotency-Key of a create (the gateway checks its shape). */
  idempotency_key?: string;
  /** The client's If-Match of an update: the ETags (record versions) it read, or `*`. */
  if_match?: string;
}

export interface RpcMessage<T = unknown> {
  meta: RequestMeta;
  body: T;
}

/** A system actor, for work the platform does on its own behalf (provisioning, relays). */
export function systemActor(): Actor {
  return { user_id: null, email: null, role: 'owner', auth_method: 'system', token_id: null, permissions: ['read', 'write'], scope: 'full' };
}

export function canWrite(actor: Actor | null): boolean {
  return !!actor && actor.role !== 'viewer' && actor.permissions.includes('write');
}

export function isAdmin(actor: Actor | null): boolean {
  return !!actor && (actor.role === 'owner' || actor.role === 'admin');
}

/** The platform itself acting on the control plane (first start, the CLI). */
export function systemOperator(): Operator {
  return { operator_id: '00000000-0000-0000-0000-000000000000', email: 'system' };
}

/** The answer to a delete. */
export interface DeletedView {
  id: string;
  deleted: true;
}

/** `GET /health/live`. */
export interface LivenessView {
  status: 'ok';
}

/** `GET /health/ready`: every service of the registry and the rate limiter's store. */
export interface ReadinessView {
  status: 'ok' | 'degraded';
  checks: Record<string, string>;
}
