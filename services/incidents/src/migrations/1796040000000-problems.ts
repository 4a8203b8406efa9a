import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'incidents';

/** Problems (PRB- references), their links to incidents, and the incident's problem. */
export class IncidentsProblems1796040000000 implements MigrationInterface {
  name = 'IncidentsProblems1796040000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE "${S}"."incidents" ADD COLUMN problem_id uuid`,
      `CREATE UNIQUE INDEX IF NOT EXISTS incidents_tenant_id_id_idx ON "${S}"."incidents" (tenant_id, id)`,
      `CREATE TABLE "${S}"."problems" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        number bigint NOT NULL,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        status text NOT NULL,
        priority text NOT NULL,
        assigned_to text,
        root_cause text,
        workaround text,
        solution text,
        known_error boolean NOT NULL DEFAULT false,
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        resolved_at timestamptz,
        closed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        UNIQUE (tenant_id, number),
        UNIQUE (tenant_id, id)
      )`,
      `CREATE INDEX problems_tenant_created_idx ON "${S}"."problems" (tenant_id, created_at DESC, id DESC)`,
      ...tenantRlsSql(S, 'problems'),
      // Both ends in the same tenant, by construction.
      `CREATE TABLE "${S}"."problem_incidents" (
        tenant_id uuid NOT NULL,
        problem_id uuid NOT NULL,
        incident_id uuid NOT NULL,
        linked_at timestamptz NOT NULL,
        PRIMARY KEY (problem_id, incident_id),
        FOREIGN KEY (tenant_id, problem_id) REFERENCES "${S}"."problems" (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, incident_id) REFERENCES "${S}"."incidents" (tenant_id, id) ON DELETE CASCADE
      )`,
      `CREATE INDEX problem_incidents_incident_idx ON "${S}"."problem_incidents" (incident_id)`,
      ...tenantRlsSql(S, 'problem_incidents'),
      `CREATE TABLE "${S}"."problem_counters" (tenant_id uuid PRIMARY KEY, last_number bigint NOT NULL)`,
      ...tenantRlsSql(S, 'problem_counters'),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['problem_counters', 'problem_incidents', 'problems']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
    await q.query(`ALTER TABLE "${S}"."incidents" DROP COLUMN IF EXISTS problem_id`);
  }
}
