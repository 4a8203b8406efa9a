import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply } from 'fastify';
import { canWrite } from '@opsplane/contracts';
import { currentLogContext } from '@opsplane/observability';
import { AppError, ErrorCode } from '@opsplane/errors';
import { GatewayRequest, headerOf, stateOf } from '../http/gateway-request';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { ACCESS, AREA, IS_PUBLIC } from './decorators';
import { Principal } from './principal';

const PassportGuard = AuthGuard(['api-token', 'jwt']);

/** Why a request has no usable credential; a token sent elsewhere than the header is named as such (it is never read there). */
function credentialHint(req: GatewayRequest): string {
  const elsewhere = (v: unknown) => !!v && typeof v === 'object' && 'access_token' in v;
  if (!req.headers.authorization && (elsewhere(req.query) || elsewhere(req.body))) {
    return 'Credentials are accepted only in the Authorization header (Authorization: Bearer <token>), never in the query string or the body';
  }
  return 'Missing, invalid or expired credentials';
}

/**
 * Authenticates every non-public route (API token or JWT), checks `x-tenant-id` against the
 * credential's tenant, and applies the coarse write rule (viewers and read tokens cannot write)
 * and the token's scope, after counting the request against the rate limits. Services apply the
 * finer rules.
 */
@Injectable()
export class TenantPlaneGuard implements CanActivate {
  private readonly passport = new PassportGuard();

  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<GatewayRequest>();
    try {
      await this.passport.canActivate(ctx);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError(ErrorCode.UNAUTHORIZED, credentialHint(req));
    }
    const principal = req.user as Principal;
    const claimed = headerOf(req, 'x-tenant-id');
    if (claimed !== undefined && claimed.trim().toLowerCase() !== principal.tenant_id) {
      throw new AppError(ErrorCode.FORBIDDEN, "x-tenant-id does not match the credential's tenant");
    }
    const state = stateOf(req);
    state.tenantId = principal.tenant_id;
    state.actor = principal.actor;
    state.credentialAt = principal.credential_at;
    const logContext = currentLogContext();
    if (logContext) logContext.tenant_id = principal.tenant_id;
    state.span?.setAttribute('opsplane.tenant_id', principal.tenant_id);
    await this.limiter.enforce(principal, ctx.switchToHttp().getResponse<FastifyReply>());

    const access = this.reflector.getAllAndOverride<'read' | 'write'>(ACCESS, targets) ?? (['GET', 'HEAD'].includes(req.method) ? 'read' : 'write');
    if (access === 'write' && !canWrite(principal.actor)) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        principal.actor.role === 'viewer' ? 'The viewer role cannot make changes' : 'This API token does not have the write permission',
      );
    }
    const area = this.reflector.getAllAndOverride<string>(AREA, targets);
    if (area && principal.actor.scope !== 'full' && principal.actor.scope !== area) {
      throw new AppError(ErrorCode.FORBIDDEN, `This API token's scope (${principal.actor.scope}) does not cover ${area}`);
    }
    return true;
  }
}
