import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxSql, outboxInboxSql, tenantRlsSql } from '@opsplane/db';

const S = 'incidents';

export class IncidentsInit1763900000000 implements MigrationInterface {
  name = 'IncidentsInit1763900000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."incidents" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        number bigint NOT NULL,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        status text NOT NULL CHECK (status IN ('triggered','open','acknowledged','investigating','resolved','closed','reopened')),
        priority_rank smallint NOT NULL CHECK (priority_rank BETWEEN 1 AND 4),
        criticality text CHECK (criticality IN ('critical','major','moderate','minor')),
        urgency text CHECK (urgency IN ('critical','high','medium','low')),
        source text NOT NULL DEFAULT 'api',
        assigned_to text,
        affected_services text[] NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        ci_ids text[] NOT NULL DEFAULT '{}',
        resolution_notes text,
        resolved_by text,
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        triggered_at timestamptz,
        opened_at timestamptz,
        acknowledged_at timestamptz,
        investigating_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        reopened_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        search tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || description)) STORED,
        CONSTRAINT incidents_tenant_number_uq UNIQUE (tenant_id, number)
      )`,
      `CREATE INDEX incidents_tenant_created_idx ON "${S}"."incidents" (tenant_id, created_at DESC, id DESC)`,
      `CREATE INDEX incidents_tenant_status_rank_idx ON "${S}"."incidents" (tenant_id, status, priority_rank, created_at DESC, id DESC)`,
      `CREATE INDEX incidents_tenant_assignee_idx ON "${S}"."incidents" (tenant_id, assigned_to) WHERE assigned_to IS NOT NULL`,
      `CREATE INDEX incidents_tags_idx ON "${S}"."incidents" USING gin (tags)`,
      `CREATE INDEX incidents_ci_ids_idx ON "${S}"."incidents" USING gin (ci_ids)`,
      `CREATE INDEX incidents_search_idx ON "${S}"."incidents" USING gin (search)`,
      ...tenantRlsSql(S, 'incidents'),

      // One row per tenant, bumped in its own short transaction (never held for a create's length).
      `CREATE TABLE "${S}"."incident_counters" (tenant_id uuid PRIMARY KEY, last_number bigint NOT NULL)`,
      ...tenantRlsSql(S, 'incident_counters'),

      `CREATE TABLE "${S}"."incident_comments" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        incident_id uuid NOT NULL REFERENCES "${S}"."incidents"(id) ON DELETE CASCADE,
        body text NOT NULL,
        author_id uuid,
        author_email text,
        created_at timestamptz NOT NULL
      )`,
      `CREATE INDEX incident_comments_incident_idx ON "${S}"."incident_comments" (incident_id, created_at)`,
      ...tenantRlsSql(S, 'incident_comments'),

      `CREATE TABLE "${S}"."incident_timeline" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        incident_id uuid NOT NULL REFERENCES "${S}"."incidents"(id) ON DELETE CASCADE,
        type text NOT NULL,
        actor_id uuid,
        actor_email text,
        actor_type text NOT NULL,
        token_id uuid,
        changes jsonb NOT NULL DEFAULT '{}'::jsonb,
        message text,
        trace_id text,
        created_at timestamptz NOT NULL
      )`,
      `CREATE INDEX incident_timeline_incident_idx ON "${S}"."incident_timeline" (incident_id, created_at)`,
      ...tenantRlsSql(S, 'incident_timeline'),
      ...outboxInboxSql(S),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropOutboxInboxSql(S)) await q.query(sql);
    for (const t of ['incident_timeline', 'incident_comments', 'incident_counters', 'incidents']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
  }
}

