import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'cmdb';

/** How many versions of a tenant's graph its change log keeps (a cache further behind loads the graph again). */
const GRAPH_LOG_VERSIONS = 1000;

/**
 * What the impact analysis needs to keep a tenant's relationship graph in memory and current: a version per tenant,
 * raised by every statement that adds, changes or removes relationships (the row lock orders a tenant's writers, so
 * versions commit in order), and the change log of the last versions (`+` an edge as it now is, `-` an edge gone).
 * An update is logged as the edge's removal and its addition. A service replica compares its cached version with the tenant's and replays the log in between, or loads the graph
 * again when it is further behind than the log reaches. Statement-level triggers with transition tables: a bulk
 * import of thousands of relationships is one version and one multi-row insert. A tenant purge bypasses them.
 */
export class CmdbImpactGraphLog1796700000000 implements MigrationInterface {
  name = 'CmdbImpactGraphLog1796700000000';

  async up(q: QueryRunner): Promise<void> {
    const record = (op: '+' | '-', rows: string) => `
      WITH v AS (
        INSERT INTO "${S}"."graph_versions" AS g (tenant_id, version)
        SELECT DISTINCT tenant_id, 1 FROM ${rows}
        ON CONFLICT (tenant_id) DO UPDATE SET version = g.version + 1
        RETURNING tenant_id, version
      ), logged AS (
        INSERT INTO "${S}"."graph_changes" (tenant_id, version, op, source_id, target_id, type, criticality)
        SELECT r.tenant_id, v.version, '${op}', r.source_id, r.target_id, r.type, r.criticality FROM ${rows} r JOIN v USING (tenant_id)
      )
      DELETE FROM "${S}"."graph_changes" c USING v WHERE c.tenant_id = v.tenant_id AND c.version <= v.version - ${GRAPH_LOG_VERSIONS};`;
    const triggerFunction = (name: string, ...body: string[]) => `CREATE FUNCTION "${S}".${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         IF current_setting('app.tenant_purge', true) = 'on' THEN RETURN NULL; END IF;
         ${body.join('\n')}
         RETURN NULL;
       END $fn$`;
    const statements = [
      `CREATE TABLE "${S}"."graph_versions" (
        tenant_id uuid PRIMARY KEY,
        version bigint NOT NULL
      )`,
      `CREATE TABLE "${S}"."graph_changes" (
        tenant_id uuid NOT NULL,
        version bigint NOT NULL,
        op char(1) NOT NULL CHECK (op IN ('+', '-')),
        source_id uuid NOT NULL,
        target_id uuid NOT NULL,
        type text NOT NULL,
        criticality text NOT NULL
      )`,
      `CREATE INDEX graph_changes_version_idx ON "${S}"."graph_changes" (tenant_id, version)`,
      ...tenantRlsSql(S, 'graph_versions'),
      ...tenantRlsSql(S, 'graph_changes'),
      triggerFunction('graph_added', record('+', 'added')),
      triggerFunction('graph_removed', record('-', 'removed')),
      triggerFunction('graph_changed', record('-', 'removed'), record('+', 'added')),
      // Fresh statistics after a bulk import (the runtime role owns no table, so it cannot ANALYZE itself; autovacuum
      // may be late or off): without them the planner reads an item by id through a partial index of the whole tenant.
      `CREATE FUNCTION "${S}".analyze_after_import() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
       BEGIN
         ANALYZE "${S}"."cis";
         ANALYZE "${S}"."relationships";
       END $fn$`,
      `CREATE TRIGGER graph_relationship_added AFTER INSERT ON "${S}"."relationships" REFERENCING NEW TABLE AS added
         FOR EACH STATEMENT EXECUTE FUNCTION "${S}".graph_added()`,
      `CREATE TRIGGER graph_relationship_changed AFTER UPDATE ON "${S}"."relationships" REFERENCING OLD TABLE AS removed NEW TABLE AS added
         FOR EACH STATEMENT EXECUTE FUNCTION "${S}".graph_changed()`,
      `CREATE TRIGGER graph_relationship_removed AFTER DELETE ON "${S}"."relationships" REFERENCING OLD TABLE AS removed
         FOR EACH STATEMENT EXECUTE FUNCTION "${S}".graph_removed()`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['graph_relationship_added', 'graph_relationship_changed', 'graph_relationship_removed']) await q.query(`DROP TRIGGER IF EXISTS ${t} ON "${S}"."relationships"`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".graph_added()`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".graph_removed()`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".graph_changed()`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".analyze_after_import()`);
    await q.query(`DROP TABLE IF EXISTS "${S}"."graph_changes"`);
    await q.query(`DROP TABLE IF EXISTS "${S}"."graph_versions"`);
  }
}
