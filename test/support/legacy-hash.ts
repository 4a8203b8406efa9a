import { randomBytes, scryptSync } from 'node:crypto';

/** A password hash in the format versions before argon2id wrote (scrypt, N=2^14, r=8, p=1). */
export function legacyScryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 64, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}
