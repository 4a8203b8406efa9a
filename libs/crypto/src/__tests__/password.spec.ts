import { scryptSync } from 'node:crypto';
import { hashPassword, needsRehash, verifyPassword } from '../password';

/** A hash in the format of versions before argon2id (scrypt, N=2^14). */
function legacyScrypt(password: string): string {
  const salt = Buffer.from('0123456789abcdef');
  const key = scryptSync(password, salt, 64, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

describe('password hashing', () => {
  it('hashes with argon2id at the OWASP settings (19 MiB, 2 passes, 1 lane), salted', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toEqual(b);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(verifyPassword('correct horse', a)).resolves.toBe(true);
    await expect(verifyPassword('wrong horse', a)).resolves.toBe(false);
    expect(needsRehash(a)).toBe(false);
  });

  it('still verifies the scrypt hashes of earlier versions, and asks for a rehash', async () => {
    const old = legacyScrypt('battery staple');
    await expect(verifyPassword('battery staple', old)).resolves.toBe(true);
    await expect(verifyPassword('battery stable', old)).resolves.toBe(false);
    expect(needsRehash(old)).toBe(true);
  });

  it('asks for a rehash of weaker argon2 settings, and never matches a malformed hash', async () => {
    expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA')).toBe(true);
    await expect(verifyPassword('x', '$argon2id$garbage')).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$99999999999$8$1$c2FsdA$aGFzaA')).resolves.toBe(false);
    await expect(verifyPassword('x', '')).resolves.toBe(false);
  });
});
