import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'itsm';

/** The service catalog and service requests (tenant-owned, row-level security), with REQ reference counters. */
export class ItsmRequests1796030000000 implements MigrationInterface {
  name = 'ItsmRequests1796030000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."catalog_items" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        code text,
        name text NOT NULL,
        category text NOT NULL,
        description text NOT NULL DEFAULT '',
        form_schema jsonb NOT NULL,
        approval jsonb NOT NULL,
        fulfilment_tasks jsonb NOT NULL DEFAULT '[]'::jsonb,
        active boolean NOT NULL DEFAULT true,
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1,
        UNIQUE (tenant_id, id)
      )`,
      `CREATE UNIQUE INDEX catalog_items_code_idx ON "${S}"."catalog_items" (tenant_id, lower(code)) WHERE code IS NOT NULL`,
      `CREATE INDEX catalog_items_tenant_idx ON "${S}"."catalog_items" (tenant_id, category, name)`,
      ...tenantRlsSql(S, 'catalog_items'),
      `CREATE TABLE "${S}"."service_requests" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        number bigint NOT NULL,
        catalog_item_id uuid NOT NULL,
        catalog_item_name text NOT NULL,
        requested_by text,
        fields jsonb NOT NULL,
        status text NOT NULL,
        approval_status text NOT NULL,
        approval_rule jsonb NOT NULL,
        approvals jsonb NOT NULL DEFAULT '[]'::jsonb,
        task_templates jsonb NOT NULL DEFAULT '[]'::jsonb,
        tasks jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        approved_at timestamptz,
        fulfilled_at timestamptz,
        closed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        UNIQUE (tenant_id, number),
        FOREIGN KEY (tenant_id, catalog_item_id) REFERENCES "${S}"."catalog_items" (tenant_id, id)
      )`,
      `CREATE INDEX service_requests_tenant_created_idx ON "${S}"."service_requests" (tenant_id, created_at DESC, id DESC)`,
      `CREATE INDEX service_requests_tenant_status_idx ON "${S}"."service_requests" (tenant_id, status)`,
      ...tenantRlsSql(S, 'service_requests'),
      `CREATE TABLE "${S}"."request_counters" (tenant_id uuid PRIMARY KEY, last_number bigint NOT NULL)`,
      ...tenantRlsSql(S, 'request_counters'),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['request_counters', 'service_requests', 'catalog_items']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
  }
}
