import { describe, expect, it } from 'vitest';
import { hash } from '@node-rs/argon2';
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

describe('password hashing in Unicode NFC', () => {
  const precomposed = 'caf\u00e9 cr\u00e8me br\u00fbl\u00e9e'; // "é" as one code point, U+00E9
  const decomposed = precomposed.normalize('NFD'); // "e" followed by the combining accent U+0301

  it('accepts "é" typed precomposed or decomposed, whichever form set the password', async () => {
    expect(decomposed).not.toBe(precomposed);
    for (const setWith of [precomposed, decomposed]) {
      const hash = await hashPassword(setWith);
      expect(await verifyPassword(hash, precomposed)).toBe(true);
      expect(await verifyPassword(hash, decomposed)).toBe(true);
      expect(await verifyPassword(hash, 'cafe creme brulee')).toBe(false);
    }
  });

  it('still accepts a hash made before normalisation from decomposed input, typed the same way', async () => {
    const legacyHash = await hash(decomposed, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(await verifyPassword(legacyHash, decomposed)).toBe(true);
    expect(await verifyPassword(legacyHash, `${decomposed}x`)).toBe(false);
  });
});
