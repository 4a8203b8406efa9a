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
  AuthListTeam = 'rpc.auth.list_team.v1',
  AuthUpdateMemberRole = 'rpc.auth.update_member_role.v1',
  AuthRemoveMember = 'rpc.auth.remove_member.v1',
  AuthInviteMember = 'rpc.auth.invite_member.v1',
  AuthListInvitations = 'rpc.auth.list_invitations.v1',
  AuthRevokeInvitation = 'rpc.auth.revoke_invitation.v1',
  AuthAcceptInvitation = 'rpc.auth.accept_invitation.v1',
  AuthGetOrganization = 'rpc.auth.get_organization.v1',
  AuthUpdateOrganization = 'rpc.auth.update_organization.v1',
  AuthListAudit = 'rpc.auth.list_audit.v1',

  AuthSetTenantStatus = 'rpc.auth.set_tenant_status.v1',
  AuthPurgeTenant = 'rpc.auth.purge_tenant.v1',
  AuthUsage = 'rpc.auth.usage.v1',
  AuthAccessRevocations = 'rpc.auth.access_revocations.v1',

  CpHealth = 'rpc.cp.health.v1',
  CpLogin = 'rpc.cp.login.v1',
  CpCreateTenant = 'rpc.cp.create_tenant.v1',
  CpListTenants = 'rpc.cp.list_tenants.v1',
  CpGetTenant = 'rpc.cp.get_tenant.v1',
  CpUpdateTenant = 'rpc.cp.update_tenant.v1',
  CpSuspendTenant = 'rpc.cp.suspend_tenant.v1',
  CpResumeTenant = 'rpc.cp.resume_tenant.v1',
  CpListPlans = 'rpc.cp.list_plans.v1',
  CpCreatePlan = 'rpc.cp.create_plan.v1',
  CpUpdatePlan = 'rpc.cp.update_plan.v1',
  CpListAudit = 'rpc.cp.list_audit.v1',
  CpTenantStatuses = 'rpc.cp.tenant_statuses.v1',
  CpDeleteTenant = 'rpc.cp.delete_tenant.v1',
  CpTenantLimits = 'rpc.cp.tenant_limits.v1',
  CpRecordUsage = 'rpc.cp.record_usage.v1',
  CpTenantUsage = 'rpc.cp.tenant_usage.v1',

  IncidentsHealth = 'rpc.incidents.health.v1',
  IncidentsPurgeTenant = 'rpc.incidents.purge_tenant.v1',
  IncidentsUsage = 'rpc.incidents.usage.v1',
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
  TenantProvisioned = 'controlplane.tenant.provisioned.v1',
  TenantUpdated = 'controlplane.tenant.updated.v1',
  TenantSuspended = 'controlplane.tenant.suspended.v1',
  TenantResumed = 'controlplane.tenant.resumed.v1',
  AuditEntryRecorded = 'audit.entry.recorded.v1',
  TenantDeleted = 'controlplane.tenant.deleted.v1',
}

/** Streams and the subjects each captures. */
export const EVENT_STREAMS: Record<string, string[]> = {
  OPSPLANE_INCIDENTS: ['incidents.>'],
  OPSPLANE_CONTROL_PLANE: ['controlplane.>'],
  OPSPLANE_AUDIT: ['audit.>'],
};
