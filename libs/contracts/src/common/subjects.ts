/**
 * Request/reply subjects (commands and queries). Versioned; all under `rpc.` so that no
 * JetStream stream (which captures `<area>.<entity>.<event>.vN`) ever swallows a request.
 */
export enum RpcSubject {
  AuthHealth = 'rpc.auth.health.v1',
  AuthLogin = 'rpc.auth.login.v1',
  AuthRefresh = 'rpc.auth.refresh.v1',
  AuthMe = 'rpc.auth.me.v1',
  AuthVerifyApiToken = 'rpc.auth.verify_api_token.v1',
  AuthListApiTokens = 'rpc.auth.list_api_tokens.v1',
  AuthCreateApiToken = 'rpc.auth.create_api_token.v1',
  AuthRevokeApiToken = 'rpc.auth.revoke_api_token.v1',
  AuthDeleteApiToken = 'rpc.auth.delete_api_token.v1',
  AuthProvisionTenant = 'rpc.auth.provision_tenant.v1',
  AuthCreateUser = 'rpc.auth.create_user.v1',

  IncidentsHealth = 'rpc.incidents.health.v1',
  IncidentsCreate = 'rpc.incidents.create_incident.v1',
  IncidentsGet = 'rpc.incidents.get_incident.v1',
  IncidentsList = 'rpc.incidents.list_incidents.v1',
  IncidentsUpdate = 'rpc.incidents.update_incident.v1',
  IncidentsAddComment = 'rpc.incidents.add_comment.v1',
  IncidentsListComments = 'rpc.incidents.list_comments.v1',
  IncidentsTimeline = 'rpc.incidents.timeline.v1',
}

/** Domain event subjects (JetStream, durable). The JSON schemas live in proto/. */
export enum EventSubject {
  IncidentCreated = 'incidents.incident.created.v1',
  IncidentUpdated = 'incidents.incident.updated.v1',
  IncidentStatusChanged = 'incidents.incident.status_changed.v1',
  IncidentCommented = 'incidents.incident.commented.v1',
}

/** Streams and the subjects each captures. */
export const EVENT_STREAMS: Record<string, string[]> = {
  OPSPLANE_INCIDENTS: ['incidents.>'],
};
