import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxSql, dropTenantFenceSql, idempotencyTableSql, outboxInboxSql, tenantFenceSql, tenantRlsSql } from '@opsplane/db';

const S = 'cmdb';

/**
 * The cmdb schema: configuration items (soft-deleted, with their history), the tenant's own classes, typed
 * relationships whose two ends are the same tenant's items (composite foreign keys: another tenant's item
 * cannot be named), all under row-level security; the outbox and inbox, idempotency keys and the tenant fence.
 */
export class CmdbInit1796646078391 implements MigrationInterface {
  name = 'CmdbInit1796646078391';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."cis" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        class text NOT NULL,
        environment text,
        owner text,
        lifecycle_status text NOT NULL DEFAULT 'active' CHECK (lifecycle_status IN ('planned', 'active', 'maintenance', 'retired')),
        criticality text CHECK (criticality IN ('critical', 'high', 'medium', 'low')),
        attributes jsonb NOT NULL DEFAULT '{}',
        title text,
        position_x double precision,
        position_y double precision,
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        -- Identification: the attributes that name an item on their own, and its natural key.
        k8s_uid text GENERATED ALWAYS AS (NULLIF(attributes->>'k8s_uid', '')) STORED,
        serial text GENERATED ALWAYS AS (NULLIF(attributes->>'serial', '')) STORED,
        hostname text GENERATED ALWAYS AS (lower(NULLIF(attributes->>'hostname', ''))) STORED,
        UNIQUE (tenant_id, id)
      )`,
      // No two live items share an identity (an import or a discovery finds the one there instead).
      `CREATE UNIQUE INDEX cis_natural_key_idx ON "${S}"."cis" (tenant_id, class, lower(name), COALESCE(environment, '')) WHERE deleted_at IS NULL`,
      `CREATE UNIQUE INDEX cis_k8s_uid_idx ON "${S}"."cis" (tenant_id, k8s_uid) WHERE deleted_at IS NULL AND k8s_uid IS NOT NULL`,
      `CREATE UNIQUE INDEX cis_serial_idx ON "${S}"."cis" (tenant_id, class, serial) WHERE deleted_at IS NULL AND serial IS NOT NULL`,
      `CREATE UNIQUE INDEX cis_hostname_idx ON "${S}"."cis" (tenant_id, class, hostname) WHERE deleted_at IS NULL AND hostname IS NOT NULL`,
      `CREATE INDEX cis_tenant_name_idx ON "${S}"."cis" (tenant_id, lower(name), id)`,
      `CREATE INDEX cis_tenant_class_idx ON "${S}"."cis" (tenant_id, class, lower(name))`,
      `CREATE INDEX cis_tenant_updated_idx ON "${S}"."cis" (tenant_id, updated_at)`,
      `CREATE INDEX cis_attributes_idx ON "${S}"."cis" USING gin (attributes jsonb_path_ops)`,
      ...tenantRlsSql(S, 'cis'),
      `CREATE TABLE "${S}"."ci_history" (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL,
        ci_id uuid NOT NULL,
        at timestamptz NOT NULL,
        action text NOT NULL,
        actor_id uuid,
        actor_email text,
        changes jsonb NOT NULL,
        FOREIGN KEY (tenant_id, ci_id) REFERENCES "${S}"."cis" (tenant_id, id) ON DELETE CASCADE
      )`,
      `CREATE INDEX ci_history_ci_idx ON "${S}"."ci_history" (tenant_id, ci_id, id DESC)`,
      ...tenantRlsSql(S, 'ci_history'),
      `CREATE TABLE "${S}"."ci_classes" (
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        zone boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, name)
      )`,
      ...tenantRlsSql(S, 'ci_classes'),
      `CREATE TABLE "${S}"."relationships" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        source_id uuid NOT NULL,
        target_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('depends_on', 'runs_on', 'hosted_on', 'connects_to', 'part_of', 'member_of')),
        criticality text NOT NULL DEFAULT 'medium' CHECK (criticality IN ('critical', 'high', 'medium', 'low')),
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (source_id <> target_id),
        UNIQUE (tenant_id, source_id, target_id, type),
        FOREIGN KEY (tenant_id, source_id) REFERENCES "${S}"."cis" (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, target_id) REFERENCES "${S}"."cis" (tenant_id, id) ON DELETE CASCADE
      )`,
      // The impact walk: from a target to its sources (upstream) and back (downstream), the edge in the index.
      `CREATE INDEX relationships_target_idx ON "${S}"."relationships" (tenant_id, target_id) INCLUDE (source_id, type, criticality)`,
      `CREATE INDEX relationships_source_idx ON "${S}"."relationships" (tenant_id, source_id) INCLUDE (target_id, type, criticality)`,
      ...tenantRlsSql(S, 'relationships'),
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
    for (const t of ['relationships', 'ci_classes', 'ci_history', 'cis']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
  }
}
