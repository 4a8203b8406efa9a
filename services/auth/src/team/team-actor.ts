import { EntityManager } from 'typeorm';
import { RequestMeta } from '@opsplane/contracts';
import { TenantId } from '@opsplane/db';
import { AppError } from '@opsplane/errors';
import { UserEntity } from '../users/user.entity';


/**
 * The acting user as the database knows them now (a JWT's role claim may be minutes old: an
 * owner demoted a minute ago must not keep managing the team with their old token).
 */
export async function currentActor(em: EntityManager, tenant: TenantId, meta: RequestMeta): Promise<UserEntity> {
  const userId = meta.actor?.user_id;
  if (!userId) throw AppError.unauthorized();
  const user = await em.getRepository(UserEntity).findOne({ where: { tenantId: tenant, id: userId } });
  if (!user || user.status !== 'active') throw AppError.unauthorized();
  return user;
}

/** Serialises the tenant's membership changes (so two concurrent demotions cannot both see two owners). */
export async function lockTeam(em: EntityManager, tenant: TenantId): Promise<void> {
  await em.query(`SELECT id FROM "organizations" WHERE id = $1 FOR UPDATE`, [tenant]);
}

export async function countOwners(em: EntityManager, tenant: TenantId): Promise<number> {
  const rows = (await em.query(`SELECT count(*)::int AS n FROM "users" WHERE tenant_id = $1 AND role = 'owner' AND status = 'active'`, [tenant])) as {
    n: number;
  }[];
  return rows[0].n;
}
