import { AuditEntryRecordedV1 } from '../audit/audit.events';
import { TenantChangedV1, TenantStatusChangedV1 } from '../control-plane/control-plane.events';
import { IncidentCommentedV1, IncidentCreatedV1, IncidentStatusChangedV1, IncidentUpdatedV1 } from '../incidents/incident.events';
import { ChangeCreatedV1, ChangeDecidedV1, ChangeStatusChangedV1, ChangeUpdatedV1 } from '../itsm/change.events';
import { ServiceRequestEventV1 } from '../itsm/request.events';
import { ProblemEventV1 } from '../incidents/problem.events';
import { SlaPolicyEventV1, SlaTimerEventV1 } from '../sla/sla.events';
import { CiChangedV1, RelationshipChangedV1 } from '../cmdb/cmdb.events';
import { TelemetryTopologyObservedV1 } from '../telemetry/telemetry.events';
import { EventSubject } from './subjects';

/** Each event subject and the class of its `data`. proto/ holds their JSON schemas. */
export const EVENT_PAYLOADS = {
  [EventSubject.IncidentCreated]: IncidentCreatedV1,
  [EventSubject.IncidentUpdated]: IncidentUpdatedV1,
  [EventSubject.IncidentStatusChanged]: IncidentStatusChangedV1,
  [EventSubject.IncidentCommented]: IncidentCommentedV1,
  [EventSubject.ProblemCreated]: ProblemEventV1,
  [EventSubject.ProblemUpdated]: ProblemEventV1,
  [EventSubject.ProblemResolved]: ProblemEventV1,
  [EventSubject.TenantProvisioned]: TenantChangedV1,
  [EventSubject.TenantUpdated]: TenantChangedV1,
  [EventSubject.TenantSuspended]: TenantStatusChangedV1,
  [EventSubject.TenantResumed]: TenantStatusChangedV1,
  [EventSubject.TenantDeleted]: TenantStatusChangedV1,
  [EventSubject.AuditEntryRecorded]: AuditEntryRecordedV1,
  [EventSubject.ChangeCreated]: ChangeCreatedV1,
  [EventSubject.ChangeUpdated]: ChangeUpdatedV1,
  [EventSubject.ChangeStatusChanged]: ChangeStatusChangedV1,
  [EventSubject.ChangeApproved]: ChangeDecidedV1,
  [EventSubject.ChangeRejected]: ChangeDecidedV1,
  [EventSubject.RequestCreated]: ServiceRequestEventV1,
  [EventSubject.RequestApproved]: ServiceRequestEventV1,
  [EventSubject.RequestRejected]: ServiceRequestEventV1,
  [EventSubject.RequestFulfilled]: ServiceRequestEventV1,
  [EventSubject.RequestStatusChanged]: ServiceRequestEventV1,
  [EventSubject.SlaPolicyCreated]: SlaPolicyEventV1,
  [EventSubject.SlaPolicyUpdated]: SlaPolicyEventV1,
  [EventSubject.SlaPolicyDeleted]: SlaPolicyEventV1,
  [EventSubject.SlaTimerAtRisk]: SlaTimerEventV1,
  [EventSubject.SlaTimerBreached]: SlaTimerEventV1,
  [EventSubject.CiCreated]: CiChangedV1,
  [EventSubject.CiUpdated]: CiChangedV1,
  [EventSubject.CiDeleted]: CiChangedV1,
  [EventSubject.RelationshipCreated]: RelationshipChangedV1,
  [EventSubject.RelationshipUpdated]: RelationshipChangedV1,
  [EventSubject.RelationshipDeleted]: RelationshipChangedV1,
  [EventSubject.TelemetryTopologyObserved]: TelemetryTopologyObservedV1,
} as const satisfies Record<EventSubject, new () => object>;

/** The type of an event's `data`, fixed by its subject. */
export type EventPayload<S extends EventSubject> = InstanceType<(typeof EVENT_PAYLOADS)[S]>;
