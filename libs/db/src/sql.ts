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

/**
 * The configuration items the records of `table` name (its `ci_ids` array), as rows of `links`
 * `(tenant_id, ci_id, record_id)` kept by triggers: "the records on these items" is then an index lookup by
 * equality, which row-level security lets the planner use (the array operators `&&` and `@>` are not leakproof, so
 * under row-level security a condition on the array itself is evaluated row by row, after the policy). The rows
 * already there are copied; a tenant purge bypasses the triggers.
 */
export function ciLinksSql(schema: string, table: string, links: string): string[] {
  return [
    `CREATE TABLE "${schema}"."${links}" (
      tenant_id uuid NOT NULL,
      ci_id text NOT NULL,
      record_id uuid NOT NULL,
      PRIMARY KEY (tenant_id, ci_id, record_id)
    )`,
    `CREATE INDEX ${links}_record_idx ON "${schema}"."${links}" (tenant_id, record_id)`,
    `CREATE FUNCTION "${schema}".${links}_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
     BEGIN
       IF current_setting('app.tenant_purge', true) = 'on' THEN RETURN NULL; END IF;
       IF TG_OP IN ('UPDATE', 'DELETE') THEN
         DELETE FROM "${schema}"."${links}" WHERE tenant_id = OLD.tenant_id AND record_id = OLD.id;
       END IF;
       IF TG_OP IN ('UPDATE', 'INSERT') THEN
         INSERT INTO "${schema}"."${links}" (tenant_id, ci_id, record_id)
         SELECT DISTINCT NEW.tenant_id, c, NEW.id FROM unnest(NEW.ci_ids) AS c ON CONFLICT DO NOTHING;
       END IF;
       RETURN NULL;
     END $fn$`,
    // Records naming no item (most) cost no trigger call.
    `CREATE TRIGGER ${links}_on_insert AFTER INSERT ON "${schema}"."${table}" FOR EACH ROW WHEN (cardinality(NEW.ci_ids) > 0)
       EXECUTE FUNCTION "${schema}".${links}_sync()`,
    `CREATE TRIGGER ${links}_on_delete AFTER DELETE ON "${schema}"."${table}" FOR EACH ROW WHEN (cardinality(OLD.ci_ids) > 0)
       EXECUTE FUNCTION "${schema}".${links}_sync()`,
    `CREATE TRIGGER ${links}_on_update AFTER UPDATE OF ci_ids ON "${schema}"."${table}" FOR EACH ROW WHEN (OLD.ci_ids IS DISTINCT FROM NEW.ci_ids)
       EXECUTE FUNCTION "${schema}".${links}_sync()`,
    `INSERT INTO "${schema}"."${links}" (tenant_id, ci_id, record_id)
     SELECT DISTINCT tenant_id, c, id FROM "${schema}"."${table}", unnest(ci_ids) AS c ON CONFLICT DO NOTHING`,
    ...tenantRlsSql(schema, links),
  ];
}

export function dropCiLinksSql(schema: string, table: string, links: string): string[] {
  return [
    ...['on_insert', 'on_delete', 'on_update'].map((t) => `DROP TRIGGER IF EXISTS ${links}_${t} ON "${schema}"."${table}"`),
    `DROP FUNCTION IF EXISTS "${schema}".${links}_sync()`,
    `DROP TABLE IF EXISTS "${schema}"."${links}"`,
  ];
}
