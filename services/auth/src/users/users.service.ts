import { Inject, Injectable } from '@nestjs/common';
import { MeView, RequestMeta } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { AppError } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { UserEntity } from './user.entity';

@Injectable()
export class UsersService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  /** GET /api/auth/me, in the second document's shape (snake_case). */
  async me(meta: RequestMeta): Promise<MeView> {
    const a = meta.actor;
    if (!a?.user_id) throw AppError.unauthorized();
    const tenant = asTenantId(meta.tenant_id);
    const user = await this.rt.tenantDb.run(tenant, (em) => em.getRepository(UserEntity).findOne({ where: { tenantId: tenant, id: a.user_id! } }));
    if (!user || user.status !== 'active') throw AppError.unauthorized();
    const viaToken = a.auth_method === 'api_token';
    return {
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        organization_id: tenant,
        role: user.role,
        is_api_token_auth: viaToken,
        token_permissions: viaToken ? a.permissions : ['read', 'write'],
        token_scope: viaToken ? a.scope : 'full',
      },
      auth_method: viaToken ? 'api_token' : 'jwt',
    };
  }
}
