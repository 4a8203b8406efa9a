import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxSql, dropTenantFenceSql, idempotencyTableSql, outboxInboxSql, tenantFenceSql, tenantRlsSql } from '@opsplane/db';

const S = 'itsm';

/**
 * The itsm schema: changes with their timeline, freeze windows, per-tenant reference counters and approval
 * policies (all tenant-owned, under row-level security), the outbox and inbox, idempotency keys
 * and the tenant fence.
 */
export class ItsmInit1796020437115 implements MigrationInterface {
  name = 'ItsmInit1796020437115';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."changes" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        number bigint NOT NULL,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        type text NOT NULL CHECK (type IN ('standard', 'normal', 'emergency')),
        status text NOT NULL,
        priority text NOT NULL,
        risk_level text NOT NULL,
        approval_status text NOT NULL,
        risk_score smallint NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
        computed_risk_level text NOT NULL,
        conflicts jsonb NOT NULL DEFAULT '[]'::jsonb,
        approval_rule jsonb NOT NULL,
        approvals jsonb NOT NULL DEFAULT '[]'::jsonb,
        requested_by text,
        assigned_to text,
        ci_ids text[] NOT NULL DEFAULT '{}',
        requested_start timestamptz,
        requested_end timestamptz,
        scheduled_start timestamptz,
        scheduled_end timestamptz,
        actual_start timestamptz,
        actual_end timestamptz,
        implementation_plan text,
        backout_plan text,
        test_plan text,
        backout_performed boolean,
        closure_notes text,
        review_required boolean NOT NULL DEFAULT false,
        review_notes text,
        reviewed_by text,
        reviewed_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        approved_at timestamptz,
        closed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        UNIQUE (tenant_id, number),
        UNIQUE (tenant_id, id),
        CHECK (scheduled_end IS NULL OR scheduled_start IS NULL OR scheduled_end > scheduled_start),
        CHECK (requested_end IS NULL OR requested_start IS NULL OR requested_end > requested_start)
      )`,
      `CREATE INDEX changes_tenant_created_idx ON "${S}"."changes" (tenant_id, created_at DESC, id DESC)`,
      `CREATE INDEX changes_tenant_status_idx ON "${S}"."changes" (tenant_id, status)`,
      `CREATE INDEX changes_tenant_window_idx ON "${S}"."changes" (tenant_id, scheduled_start, scheduled_end)`,
      `CREATE INDEX changes_ci_ids_idx ON "${S}"."changes" USING gin (ci_ids)`,
      `CREATE INDEX changes_updated_idx ON "${S}"."changes" (tenant_id, updated_at)`,
      ...tenantRlsSql(S, 'changes'),
      `CREATE TABLE "${S}"."change_timeline" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        change_id uuid NOT NULL,
        type text NOT NULL,
        actor_id uuid,
        actor_email text,
        actor_type text NOT NULL,
        token_id uuid,
        changes jsonb NOT NULL DEFAULT '{}'::jsonb,
        message text,
        trace_id text,
        created_at timestamptz NOT NULL,
        FOREIGN KEY (tenant_id, change_id) REFERENCES "${S}"."changes" (tenant_id, id) ON DELETE CASCADE
      )`,
      `CREATE INDEX change_timeline_change_idx ON "${S}"."change_timeline" (change_id, created_at, id)`,
      ...tenantRlsSql(S, 'change_timeline'),
      `CREATE TABLE "${S}"."freeze_windows" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        reason text,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        ci_ids text[] NOT NULL DEFAULT '{}',
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1,
        CHECK (ends_at > starts_at)
      )`,
      `CREATE INDEX freeze_windows_tenant_idx ON "${S}"."freeze_windows" (tenant_id, starts_at, ends_at)`,
      ...tenantRlsSql(S, 'freeze_windows'),
      `CREATE TABLE "${S}"."change_counters" (tenant_id uuid PRIMARY KEY, last_number bigint NOT NULL)`,
      ...tenantRlsSql(S, 'change_counters'),
      `CREATE TABLE "${S}"."change_policies" (
        tenant_id uuid PRIMARY KEY,
        policy jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      ...tenantRlsSql(S, 'change_policies'),
      ...outboxInboxSql(S),
      ...idempotencyTableSql(S),
      ...tenantFenceSql(S),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropTenantFenceSql(S)) await q.query(sql);
    await q.query(`DROP TABLE IF EXISTS "${S}"."idempotency_keys"`);
    for (const sql of dropOutboxInboxSql(S)) await q.query(sql);
    for (const t of ['change_policies', 'change_counters', 'freeze_windows', 'change_timeline', 'changes']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
  }
}
