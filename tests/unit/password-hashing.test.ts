import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/server/security/password-hashing.js';

/** Parses a PHC string: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>. */
function parsePhc(phc: string) {
  const [empty, algorithm, version, params, salt, hash, ...rest] = phc.split('$');
  expect(empty).toBe('');
  expect(rest).toEqual([]);
  return {
    algorithm,
    version,
    params: Object.fromEntries(params!.split(',').map((pair) => pair.split('=') as [string, string])),
    salt: Buffer.from(salt!, 'base64'),
    hash: Buffer.from(hash!, 'base64'),
  };
}

describe('password hashing', () => {
  it('uses argon2id, version 19, with m=19456 KiB, t=2, p=1 (OWASP minimum)', async () => {
    const phc = parsePhc(await hashPassword('violet harbour lantern 93'));
    expect(phc.algorithm).toBe('argon2id');
    expect(phc.version).toBe('v=19');
    expect(phc.params).toEqual({ m: '19456', t: '2', p: '1' });
    expect(phc.salt.length).toBeGreaterThanOrEqual(16);
    expect(phc.hash.length).toBeGreaterThanOrEqual(32);
  });

  it('salts every hash: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same password twice'), hashPassword('same password twice')]);
    expect(a).not.toBe(b);
    expect(parsePhc(a).salt.equals(parsePhc(b).salt)).toBe(false);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('tea 🍵 time 🕒');
    expect(await verifyPassword(hash, 'tea 🍵 time 🕒')).toBe(true);
    expect(await verifyPassword(hash, 'tea 🍵 time 🕓')).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it('answers false, never throws, for an account without a hash or with a broken one', async () => {
    expect(await verifyPassword(null, 'anything at all')).toBe(false);
    expect(await verifyPassword('not-a-phc-string', 'anything at all')).toBe(false);
    expect(await verifyPassword('$argon2id$v=19$m=19456,t=2,p=1$$', 'anything at all')).toBe(false);
  });
});
