import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxSql, outboxInboxSql, tenantRlsSql } from '@opsplane/db';

const S = 'auth';

export class AuthInit1763900000001 implements MigrationInterface {
  name = 'AuthInit1763900000001';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."organizations" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL UNIQUE CHECK (tenant_id = id),
        name text NOT NULL,
        slug text NOT NULL UNIQUE,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      ...tenantRlsSql(S, 'organizations'),
      `CREATE TABLE "${S}"."users" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES "${S}"."organizations"(id) ON DELETE CASCADE,
        email text NOT NULL,
        name text NOT NULL DEFAULT '',
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('owner','admin','member','viewer')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
        job_title text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        last_login_at timestamptz,
        CONSTRAINT users_tenant_email_uq UNIQUE (tenant_id, email)
      )`,
      ...tenantRlsSql(S, 'users'),
      `CREATE TABLE "${S}"."refresh_tokens" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES "${S}"."users"(id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL
      )`,
      `CREATE INDEX refresh_tokens_family_idx ON "${S}"."refresh_tokens" (tenant_id, family_id)`,
      ...tenantRlsSql(S, 'refresh_tokens'),
      `CREATE TABLE "${S}"."api_tokens" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES "${S}"."users"(id) ON DELETE CASCADE,
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        token_prefix text NOT NULL,
        permissions text[] NOT NULL,
        scope text NOT NULL DEFAULT 'full',
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL
      )`,
      `CREATE INDEX api_tokens_user_idx ON "${S}"."api_tokens" (tenant_id, user_id, created_at DESC)`,
      ...tenantRlsSql(S, 'api_tokens'),
      `CREATE TABLE "${S}"."login_attempts" (
        tenant_id uuid NOT NULL,
        email text NOT NULL,
        failures integer NOT NULL DEFAULT 0,
        last_failure_at timestamptz NOT NULL,
        locked_until timestamptz,
        PRIMARY KEY (tenant_id, email)
      )`,
      ...tenantRlsSql(S, 'login_attempts'),
      ...outboxInboxSql(S),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropOutboxInboxSql(S)) await q.query(sql);
    for (const t of ['login_attempts', 'api_tokens', 'refresh_tokens', 'users', 'organizations']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
  }
}
