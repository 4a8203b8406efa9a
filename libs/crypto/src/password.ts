import { argon2id, argon2Verify } from 'hash-wasm';
import { randomBytes, scrypt as scryptCb, timingSafeEqual, ScryptOptions } from 'node:crypto';

/**
 * Passwords are hashed with argon2id at the OWASP Password Storage Cheat Sheet's first
 * configuration (19 MiB, 2 passes, 1 lane), in the PHC string format (`$argon2id$v=19$...`).
 * Node 20's crypto has no argon2, and scrypt at the equivalent cost (N=2^17) needs 128 MiB and
 * ~0.4 s per hash, which turns a burst of logins into memory exhaustion. The WebAssembly build of
 * `hash-wasm` is used (~60 ms a hash here): the native `argon2` package's prebuilt binary crashed
 * this machine's Node with a segmentation fault, and a native build would need a compiler in every
 * image. Hashes written by earlier versions (`scrypt$N$r$p$...`) still verify, and `needsRehash`
 * tells the login to store a new hash once the password is known.
 */
export const PASSWORD_HASH_PARAMS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 } as const;

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

export async function hashPassword(password: string): Promise<string> {
  return argon2id({ password, salt: randomBytes(16), ...PASSWORD_HASH_PARAMS, outputType: 'encoded' });
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2')) {
    try {
      return await argon2Verify({ password, hash: stored });
    } catch {
      return false; // a malformed stored hash never matches
    }
  }
  return verifyLegacyScrypt(password, stored);
}

/** true when the stored hash was made with weaker or other settings than today's: store a fresh one after a successful login. */
export function needsRehash(stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (!m) return true;
  const p = PASSWORD_HASH_PARAMS;
  return Number(m[1]) < p.memorySize || Number(m[2]) < p.iterations || Number(m[3]) !== p.parallelism;
}

/** The scrypt hashes of versions before argon2id: `scrypt$N$r$p$salt$hash` (base64url parts). */
async function verifyLegacyScrypt(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (alg !== 'scrypt' || !salt || !hash || !(N >= 2 && N <= 2 ** 20 && R >= 1 && R <= 32 && P >= 1 && P <= 16)) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N, r: R, p: P, maxmem: 256 * 1024 * 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A real hash of nothing, verified against when the user does not exist, so both paths cost the same. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}
