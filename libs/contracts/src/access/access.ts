/**
 * Changes to who may use the platform that every gateway must apply before the call that made
 * them answers: a member removed, an API token revoked, a tenant suspended, resumed or deleted.
 * The service making the change broadcasts it and waits until every live gateway acknowledged.
 */
export type AccessChange =
  /** Credentials of this user issued before `not_before` are refused (JWTs and cached API-token checks). */
  | { kind: 'user'; tenant_id: string; user_id: string; not_before: string }
  /** This API token is refused (its cached check is dropped). */
  | { kind: 'token'; tenant_id: string; token_id: string; not_before: string }
  /** The tenant's status: anything but `active` shuts it out. */
  | { kind: 'tenant'; tenant_id: string; status: 'active' | 'suspended' | 'deleting' | 'deleted' };

/** Core NATS subjects of the access broadcast (not JetStream: it is about now, not history). */
export const ACCESS_SUBJECTS = {
  /** A change, sent as a request; each gateway replies with its id once applied. */
  changed: 'opsplane.access.changed.v1',
  /** Each gateway announces itself here every second, so publishers know whose answer to wait for. */
  heartbeat: 'opsplane.access.gateway.v1',
} as const;

export interface AccessAck {
  gateway_id: string;
}

/** Users whose credentials issued before `not_before` stay refused (for a gateway that starts later). */
export interface AccessRevocationsView {
  users: { tenant_id: string; user_id: string; not_before: string }[];
}
