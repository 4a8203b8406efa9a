import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy as JwtStrategyBase } from 'passport-jwt';
import { ROLES, Role } from '@opsplane/contracts';
import { isUuid } from '@opsplane/db';
import { GatewayConfig } from '../config';
import { GatewayRequest, stateOf } from '../http/gateway-request';
import { ApiTokenCache } from './api-token-cache';
import { HeaderBearerStrategy } from './header-bearer.strategy';
import { Principal } from './principal';

export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const API_TOKEN_CACHE = Symbol('ApiTokenCache');

interface AccessClaims {
  sub?: unknown;
  tid?: unknown;
  email?: unknown;
  role?: unknown;
  typ?: unknown;
  iat?: unknown;
  iat_ms?: unknown;
}

/** Tenant-plane JWTs: HS256 only (so `alg: none` and algorithm swaps fail), this issuer and audience. */
@Injectable()
export class JwtStrategy extends PassportStrategy(JwtStrategyBase, 'jwt') {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not a string: jsonwebtoken otherwise first tries (and fails) to parse it as a public key on every request.
      secretOrKey: createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8')) as unknown as string,
      algorithms: ['HS256'],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessClaims): Principal | false {
    if (claims.typ !== 'access' || !isUuid(claims.tid) || !isUuid(claims.sub) || !ROLES.includes(claims.role as Role)) return false;
    return {
      tenant_id: claims.tid.toLowerCase(),
      // When it was issued (ms when the token says so): revocations after that time refuse it.
      credential_at: typeof claims.iat_ms === 'number' ? claims.iat_ms : typeof claims.iat === 'number' ? claims.iat * 1000 : 0,
      actor: {
        user_id: claims.sub,
        email: typeof claims.email === 'string' ? claims.email : null,
        role: claims.role as Role,
        auth_method: 'jwt',
        token_id: null,
        permissions: ['read', 'write'],
        scope: 'full',
      },
    };
  }
}

/** Opaque API tokens (`ops_pat_...`) from the Authorization header only, verified by the auth service through the cache. */
@Injectable()
export class ApiTokenStrategy extends PassportStrategy(HeaderBearerStrategy, 'api-token') {
  constructor(@Inject(API_TOKEN_CACHE) private readonly cache: ApiTokenCache) {
    super();
  }

  async validate(req: GatewayRequest, token: string): Promise<Principal | false> {
    if (!token.startsWith('ops_pat_')) return false;
    const { token: v, checked_at } = await this.cache.verify(token, stateOf(req).traceparent);
    return {
      tenant_id: v.tenant_id,
      credential_at: checked_at,
      actor: {
        user_id: v.user_id,
        email: v.email,
        role: v.role,
        auth_method: 'api_token',
        token_id: v.token_id,
        permissions: v.permissions,
        scope: v.scope,
      },
    };
  }
}
