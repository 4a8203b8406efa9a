import { randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { Role } from '@opsplane/contracts';
import { AuthConfig } from '../config';

export interface AccessClaims {
  sub: string;
  tid: string;
  email: string;
  role: Role;
  typ: 'access';
}

/**
 * HS256 access token for the tenant plane (issuer/audience distinguish it from any other plane).
 * `iat_ms` is the issue time in milliseconds: a revocation refuses the tokens issued before it,
 * and `iat` alone (seconds) cannot tell a token issued just before it from one just after.
 */
export function signAccessToken(config: AuthConfig, claims: Omit<AccessClaims, 'typ'>): string {
  return sign({ ...claims, typ: 'access', iat_ms: Date.now() }, config.JWT_SECRET, {
    algorithm: 'HS256',
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    expiresIn: config.JWT_ACCESS_TTL_S,
    jwtid: randomUUID(),
  });
}
