import { Column, Entity, EntityManager, PrimaryColumn } from 'typeorm';
import {
  Priority,
  RecordSlaView,
  SlaCalendarView,
  SlaFilter,
  SlaPausedIntervalView,
  SlaPauseState,
  SlaPolicyMatchView,
  SlaPolicyView,
  SlaRecordType,
  SlaTargetView,
  SlaTimerKind,
} from '@opsplane/contracts';
import { bigintAsNumber, rowShape, tenantRlsSql } from '@opsplane/db';
import type { BusinessCalendar } from './business-time';
import { businessCalendarOf, defaultPolicy, selectPolicy, SlaSubject } from './policy';
import { newTimer, nextNotification, SlaTimer, steer, TimerGoal, timerView, retarget } from './timer';

/**
 * An SLA policy row. The incidents service owns the policies (`/api/sla/policies`); a service
 * that runs timers on its own records (itsm) keeps a copy of them from the sla.policy.* events,
 * in a table of the same shape.
 */
@Entity({ name: 'sla_policies' })
export class SlaPolicyEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') name!: string;
  @Column('text') description!: string;
  @Column('text', { name: 'applies_to', array: true }) appliesTo!: SlaRecordType[];
  @Column('boolean', { name: 'is_default' }) isDefault!: boolean;
  @Column('jsonb') match!: SlaPolicyMatchView;
  @Column('jsonb') targets!: Record<Priority, SlaTargetView>;
  @Column('jsonb') calendar!: SlaCalendarView;
  @Column('text', { name: 'pause_on', array: true }) pauseOn!: SlaPauseState[];
  @Column('integer', { name: 'at_risk_percent' }) atRiskPercent!: number;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
  @Column('integer') version!: number;
}

export function toSlaPolicyView(p: SlaPolicyEntity): SlaPolicyView {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    applies_to: p.appliesTo,
    is_default: p.isDefault,
    match: p.match,
    targets: p.targets,
    calendar: p.calendar,
    pause_on: p.pauseOn,
    at_risk_percent: p.atRiskPercent,
    created_by: p.createdBy,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    version: p.version,
  };
}

export function fromSlaPolicyView(tenant: string, v: SlaPolicyView, deletedAt: Date | null = null): SlaPolicyEntity {
  return Object.assign(new SlaPolicyEntity(), {
    id: v.id,
    tenantId: tenant,
    name: v.name,
    description: v.description,
    appliesTo: v.applies_to,
    isDefault: v.is_default,
    match: v.match,
    targets: v.targets,
    calendar: v.calendar,
    pauseOn: v.pause_on,
    atRiskPercent: v.at_risk_percent,
    createdBy: v.created_by,
    createdAt: new Date(v.created_at),
    updatedAt: new Date(v.updated_at),
    deletedAt,
    version: v.version,
  } satisfies SlaPolicyEntity);
}

/** What a timer keeps of the policy it started under (a later edit of the policy applies to new records). */
export type SlaTimerPolicy = Pick<SlaPolicyView, 'name' | 'targets' | 'pause_on' | 'at_risk_percent'>;

/** One timer of one record, with the policy it started under. */
@Entity({ name: 'sla_timers' })
export class SlaTimerEntity implements SlaTimer {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('uuid', { name: 'record_id' }) recordId!: string;
  @PrimaryColumn('text') kind!: SlaTimerKind;
  @Column('text', { name: 'record_type' }) recordType!: SlaRecordType;
  @Column('text') reference!: string;
  @Column('text') priority!: Priority;
  @Column('uuid', { name: 'policy_id' }) policyId!: string;
  @Column('jsonb') policy!: SlaTimerPolicy;
  @Column('jsonb') calendar!: BusinessCalendar;
  @Column('bigint', { name: 'target_ms', transformer: bigintAsNumber }) targetMs!: number;
  @Column('bigint', { name: 'at_risk_ms', transformer: bigintAsNumber }) atRiskMs!: number;
  @Column('timestamptz', { name: 'started_at' }) startedAt!: Date;
  @Column('bigint', { name: 'consumed_ms', transformer: bigintAsNumber }) consumedMs!: number;
  @Column('timestamptz', { name: 'running_since', nullable: true }) runningSince!: Date | null;
  @Column('jsonb', { name: 'paused_intervals' }) pausedIntervals!: SlaPausedIntervalView[];
  @Column('timestamptz', { name: 'at_risk_at', nullable: true }) atRiskAt!: Date | null;
  @Column('timestamptz', { name: 'due_at', nullable: true }) dueAt!: Date | null;
  @Column('timestamptz', { name: 'stopped_at', nullable: true }) stoppedAt!: Date | null;
  @Column('boolean') cancelled!: boolean;
  @Column('timestamptz', { name: 'at_risk_notified_at', nullable: true }) atRiskNotifiedAt!: Date | null;
  @Column('timestamptz', { name: 'breach_notified_at', nullable: true }) breachNotifiedAt!: Date | null;
  /** When the scheduler next has something to announce (indexed; null: nothing). */
  @Column('timestamptz', { name: 'next_notify_at', nullable: true }) nextNotifyAt!: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

export const SLA_ENTITIES = [SlaPolicyEntity, SlaTimerEntity];

/** The migration statements of a schema's SLA tables (policies, or their copy, and timers). */
export function slaTablesSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}"."sla_policies" (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      applies_to text[] NOT NULL,
      is_default boolean NOT NULL DEFAULT false,
      match jsonb NOT NULL,
      targets jsonb NOT NULL,
      calendar jsonb NOT NULL,
      pause_on text[] NOT NULL DEFAULT '{}',
      at_risk_percent integer NOT NULL CHECK (at_risk_percent BETWEEN 1 AND 99),
      created_by uuid,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      deleted_at timestamptz,
      version integer NOT NULL DEFAULT 1
    )`,
    `CREATE INDEX sla_policies_tenant_idx ON "${schema}"."sla_policies" (tenant_id, created_at, id)`,
    // One default per tenant (among the policies not deleted).
    `CREATE UNIQUE INDEX sla_policies_one_default ON "${schema}"."sla_policies" (tenant_id) WHERE is_default AND deleted_at IS NULL`,
    ...tenantRlsSql(schema, 'sla_policies'),
    `CREATE TABLE "${schema}"."sla_timers" (
      tenant_id uuid NOT NULL,
      record_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('response', 'resolution')),
      record_type text NOT NULL,
      reference text NOT NULL,
      priority text NOT NULL,
      policy_id uuid NOT NULL,
      policy jsonb NOT NULL,
      calendar jsonb NOT NULL,
      target_ms bigint NOT NULL,
      at_risk_ms bigint NOT NULL,
      started_at timestamptz NOT NULL,
      consumed_ms bigint NOT NULL DEFAULT 0,
      running_since timestamptz,
      paused_intervals jsonb NOT NULL DEFAULT '[]',
      at_risk_at timestamptz,
      due_at timestamptz,
      stopped_at timestamptz,
      cancelled boolean NOT NULL DEFAULT false,
      at_risk_notified_at timestamptz,
      breach_notified_at timestamptz,
      next_notify_at timestamptz,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, record_id, kind)
    )`,
    `CREATE INDEX sla_timers_next_notify_idx ON "${schema}"."sla_timers" (next_notify_at) WHERE next_notify_at IS NOT NULL`,
    // The organization stats: the timers started in a period with their verdicts, and those stopped in a period.
    `CREATE INDEX sla_timers_started_idx ON "${schema}"."sla_timers" (tenant_id, record_type, started_at) INCLUDE (record_id, due_at)`,
    `CREATE INDEX sla_timers_stopped_idx ON "${schema}"."sla_timers" (tenant_id, record_type, kind, stopped_at) INCLUDE (due_at, cancelled) WHERE stopped_at IS NOT NULL`,
    ...tenantRlsSql(schema, 'sla_timers'),
    // The scheduler finds the tenants with something due across tenants (reading only), then works in each tenant's unit of work.
    `CREATE POLICY sla_scheduler_read ON "${schema}"."sla_timers" FOR SELECT USING (current_setting('app.sla_scheduler', true) = 'on')`,
  ];
}

/**
 * The breach count of the organization stats reads only the timers with a due instant (running, or stopped late): a
 * narrower index than one over every timer (timers met on time, most of them, have none). Replaces the first
 * `sla_timers_started_idx`, which nothing else read.
 */
export function slaDueIndexSql(schema: string): { up: string[]; down: string[] } {
  return {
    up: [
      `CREATE INDEX sla_timers_due_idx ON "${schema}"."sla_timers" (tenant_id, record_type, started_at) INCLUDE (record_id, due_at) WHERE due_at IS NOT NULL`,
      `DROP INDEX IF EXISTS "${schema}"."sla_timers_started_idx"`,
    ],
    down: [
      `CREATE INDEX sla_timers_started_idx ON "${schema}"."sla_timers" (tenant_id, record_type, started_at) INCLUDE (record_id, due_at)`,
      `DROP INDEX IF EXISTS "${schema}"."sla_timers_due_idx"`,
    ],
  };
}

export function dropSlaTablesSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS "${schema}"."sla_timers"`, `DROP TABLE IF EXISTS "${schema}"."sla_policies"`];
}

/**
 * The unit of work's tenant, spelled out in the timer queries: row-level security filters on it too,
 * but OR-ed with the scheduler's read policy, which keeps the planner off the (tenant_id, ...) indexes.
 */
const CURRENT_TENANT = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;

/** The tenant's policies (not deleted), oldest first. */
export async function listPolicyRows(em: EntityManager): Promise<SlaPolicyEntity[]> {
  const shape = rowShape(em, SlaPolicyEntity);
  const rows = (await em.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE deleted_at IS NULL ORDER BY created_at, id`)) as Record<string, unknown>[];
  return rows.map((r) => shape.fromRow(r));
}

/** Inserts or replaces a policy row (the copy kept from events; the owner's writes). */
export async function upsertPolicyRow(em: EntityManager, p: SlaPolicyEntity, onlyIfNewer = false): Promise<void> {
  const shape = rowShape(em, SlaPolicyEntity);
  const sets = shape.columns.filter(([, c]) => c !== 'id' && c !== 'tenant_id').map(([, c]) => `${c} = EXCLUDED.${c}`);
  await em.query(
    `${shape.insertSql} ON CONFLICT (id) DO UPDATE SET ${sets.join(', ')}${onlyIfNewer ? ` WHERE ${shape.table}.version <= EXCLUDED.version` : ''}`,
    shape.values(p),
  );
}

/** Timers of records, by record id; locked when the caller will write them (the scheduler writes them too). */
export async function loadTimers(em: EntityManager, recordIds: string[], forUpdate = false): Promise<Map<string, SlaTimerEntity[]>> {
  const out = new Map<string, SlaTimerEntity[]>();
  if (!recordIds.length) return out;
  const shape = rowShape(em, SlaTimerEntity);
  const rows = (await em.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE tenant_id = ${CURRENT_TENANT} AND record_id = ANY($1::uuid[]) ORDER BY kind DESC${forUpdate ? ' FOR UPDATE' : ''}`, [
    recordIds,
  ])) as Record<string, unknown>[];
  for (const r of rows) {
    const t = shape.fromRow(r);
    out.set(t.recordId, [...(out.get(t.recordId) ?? []), t]);
  }
  return out;
}

export async function saveTimers(em: EntityManager, timers: SlaTimerEntity[]): Promise<void> {
  if (!timers.length) return;
  const shape = rowShape(em, SlaTimerEntity);
  const keys = new Set(['tenant_id', 'record_id', 'kind']);
  const sets = shape.columns.filter(([, c]) => !keys.has(c)).map(([, c]) => `${c} = EXCLUDED.${c}`);
  // One statement for all of them (a record's two timers).
  const n = shape.columns.length;
  const rows = timers.map((_, i) => `(${shape.columns.map((__, j) => `$${i * n + j + 1}`).join(', ')})`);
  const values = timers.flatMap((t) => {
    t.nextNotifyAt = nextNotification(t);
    return shape.values(t);
  });
  await em.query(
    `INSERT INTO ${shape.table} (${shape.columns.map(([, c]) => c).join(', ')}) VALUES ${rows.join(', ')} ON CONFLICT (tenant_id, record_id, kind) DO UPDATE SET ${sets.join(', ')}`,
    values,
  );
}

/** A record's SLA as shown on it (null: it has no timers). */
export function recordSlaView(timers: SlaTimerEntity[] | undefined, now: Date): RecordSlaView | null {
  if (!timers?.length) return null;
  const response = timers.find((t) => t.kind === 'response');
  const resolution = timers.find((t) => t.kind === 'resolution');
  const views = [response, resolution].map((t) => (t ? timerView(t, now) : null));
  const breached = views.some((v) => v?.breached);
  return {
    policy_id: timers[0].policyId,
    policy_name: timers[0].policy.name,
    response: views[0],
    resolution: views[1],
    breached,
    at_risk: !breached && views.some((v) => v?.at_risk),
  };
}

/**
 * The condition of `?sla=` on a list, for the record whose id is `idSql`: breached (a timer's
 * target passed, also one that stopped late), at_risk (a timer past its at-risk share, still
 * open, and none breached).
 */
export function slaFilterSql(filter: SlaFilter, idSql: string): string {
  const mine = `st.tenant_id = ${CURRENT_TENANT} AND st.record_id = ${idSql}`;
  const breached = `EXISTS (SELECT 1 FROM sla_timers st WHERE ${mine} AND st.due_at <= now())`;
  if (filter === 'breached') return breached;
  return `NOT ${breached} AND EXISTS (SELECT 1 FROM sla_timers st WHERE ${mine} AND st.stopped_at IS NULL AND st.at_risk_at <= now())`;
}

/** A record's state, as far as its SLA cares. */
export interface SlaRecordState {
  type: SlaRecordType;
  id: string;
  tenantId: string;
  reference: string;
  priority: Priority;
  /** It had its first response (stays true once true). */
  responded: boolean;
  /** Resolved (the resolution timer stops), cancelled (it stops without a verdict), or open. */
  resolution: 'open' | 'resolved' | 'cancelled';
  /** Its current states a policy may pause on (an incident's hold reason, a request's status). */
  states: string[];
  subject: SlaSubject;
}

function goalsOf(policy: SlaTimerPolicy, r: SlaRecordState): Record<SlaTimerKind, TimerGoal> {
  const paused = r.states.some((s) => (policy.pause_on as string[]).includes(s));
  const open: TimerGoal = paused ? 'paused' : 'running';
  const closed: TimerGoal = r.resolution === 'cancelled' ? 'cancelled' : 'stopped';
  return {
    response: r.responded ? 'stopped' : r.resolution !== 'open' ? closed : open,
    resolution: r.resolution !== 'open' ? closed : open,
  };
}

/**
 * Starts a new record's timers (`start`: under the policy that matches it) or moves them with the record: a
 * pause, a response, a resolution, a reopening, a new priority (new targets). In the record's
 * unit of work; returns the record's SLA as it now stands.
 */
export async function syncSla(
  em: EntityManager,
  policies: () => Promise<SlaPolicyView[]>,
  r: SlaRecordState,
  at: Date,
  o: { start: boolean } = { start: false },
): Promise<RecordSlaView | null> {
  // A record created in this unit of work has no timers yet: nothing to read.
  const existing = o.start ? [] : ((await loadTimers(em, [r.id], true)).get(r.id) ?? []);
  let timers = existing;
  const changed: SlaTimerEntity[] = [];
  if (!existing.length) {
    // Timers start with the record (one created before SLAs existed has none).
    if (!o.start) return null;
    const policy = selectPolicy(await policies(), r.subject);
    if (!policy) return null;
    const goals = goalsOf(policy, r);
    const calendar = businessCalendarOf(policy.calendar);
    timers = (['response', 'resolution'] as const).map((kind) =>
      Object.assign(
        new SlaTimerEntity(),
        newTimer({ kind, calendar, targetMinutes: policy.targets[r.priority][`${kind}_minutes`], atRiskPercent: policy.at_risk_percent, at, goal: goals[kind] }),
        {
          tenantId: r.tenantId,
          recordId: r.id,
          recordType: r.type,
          reference: r.reference,
          priority: r.priority,
          policyId: policy.id,
          policy: { name: policy.name, targets: policy.targets, pause_on: policy.pause_on, at_risk_percent: policy.at_risk_percent },
          nextNotifyAt: null,
          updatedAt: at,
        },
      ),
    );
    changed.push(...timers);
  } else {
    for (const t of existing) {
      let moved = false;
      if (t.priority !== r.priority) {
        retarget(t, t.policy.targets[r.priority][`${t.kind}_minutes`], t.policy.at_risk_percent, at);
        t.priority = r.priority;
        moved = true;
      }
      moved = steer(t, goalsOf(t.policy, r)[t.kind], at) || moved;
      if (moved) {
        t.updatedAt = at;
        changed.push(t);
      }
    }
  }
  await saveTimers(em, changed);
  return recordSlaView(timers, at);
}

/** The policies a tenant's records run under, with the default when none is marked (e.g. before it was materialised). */
export function withDefault(tenant: string, rows: SlaPolicyEntity[], now: Date): SlaPolicyView[] {
  const views = rows.map(toSlaPolicyView);
  return views.some((p) => p.is_default) ? views : [...views, defaultPolicy(tenant, now)];
}
