import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy as JwtStrategyBase } from 'passport-jwt';
import { Operator } from '@opsplane/contracts';
import { isUuid } from '@opsplane/db';
import { AppError, ErrorCode } from '@opsplane/errors';
import { GatewayConfig } from '../config';
import { GatewayRequest, stateOf } from '../http/gateway-request';
import { GATEWAY_CONFIG } from './strategies';

export const CP_PUBLIC = 'opsplane:cp-public';
/** A control-plane route that needs no operator token (operator login). */
export const ControlPlanePublic = () => SetMetadata(CP_PUBLIC, true);

/** Control-plane tokens: their own secret, issuer and audience; a tenant token never passes here, nor the reverse. */
@Injectable()
export class ControlPlaneJwtStrategy extends PassportStrategy(JwtStrategyBase, 'cp-jwt') {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: createSecretKey(Buffer.from(config.CP_JWT_SECRET, 'utf8')) as unknown as string,
      algorithms: ['HS256'],
      issuer: config.CP_JWT_ISSUER,
      audience: config.CP_JWT_AUDIENCE,
    });
  }

  validate(claims: { sub?: unknown; email?: unknown; typ?: unknown }): Operator | false {
    if (claims.typ !== 'cp-access' || !isUuid(claims.sub) || typeof claims.email !== 'string') return false;
    return { operator_id: claims.sub, email: claims.email };
  }
}

const CpPassport = AuthGuard('cp-jwt');

/** Guards the control-plane routes (which the tenant-plane guard leaves alone: they are marked public to it). */
@Injectable()
export class ControlPlaneGuard implements CanActivate {
  private readonly passport = new CpPassport();

  constructor(private readonly reflector: Reflector) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(CP_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    try {
      await this.passport.canActivate(ctx);
    } catch {
      throw new AppError(ErrorCode.UNAUTHORIZED, 'A valid control-plane operator token is required');
    }
    const req = ctx.switchToHttp().getRequest<GatewayRequest>();
    (stateOf(req) as { operator?: Operator }).operator = req.user as Operator;
    return true;
  }
}
