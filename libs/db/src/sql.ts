/** SQL building blocks for migrations, so every service declares tenancy the same way. */

/** `ENABLE` + `FORCE` row-level security with the tenant policy. An unset tenant sees nothing (fail closed). */
export function tenantRlsSql(schema: string, table: string): string[] {
  return [
    `ALTER TABLE "${schema}"."${table}" ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE "${schema}"."${table}" FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON "${schema}"."${table}" USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`,
  ];
}

/**
 * The transactional outbox and the consumer inbox of a schema. Outbox rows are written in the
 * tenant's transaction (the policy checks the tenant) and read by the relay, which alone sets
 * `app.outbox_relay`.
 */
export function outboxInboxSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}"."outbox" (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL,
      subject text NOT NULL,
      payload jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      published_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    )`,
    `CREATE INDEX outbox_pending_idx ON "${schema}"."outbox" (created_at, id) WHERE published_at IS NULL`,
    `CREATE INDEX outbox_published_idx ON "${schema}"."outbox" (published_at) WHERE published_at IS NOT NULL`,
    `ALTER TABLE "${schema}"."outbox" ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE "${schema}"."outbox" FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY outbox_access ON "${schema}"."outbox" USING (current_setting('app.outbox_relay', true) = 'on' OR tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (current_setting('app.outbox_relay', true) = 'on' OR tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`,
    `CREATE TABLE "${schema}"."inbox" (
      message_id text NOT NULL,
      consumer text NOT NULL,
      tenant_id uuid NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, message_id)
    )`,
    ...tenantRlsSql(schema, 'inbox'),
  ];
}

export function dropOutboxInboxSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS "${schema}"."inbox"`, `DROP TABLE IF EXISTS "${schema}"."outbox"`];
}
