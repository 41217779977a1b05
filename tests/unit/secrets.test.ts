import { describe, expect, it } from 'vitest';
import { constantTimeEquals, generateSecret, hashSecret } from '../../src/server/security/secrets.js';

describe('secrets', () => {
  it('hashes with SHA-256, as lower-case hex', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashSecret('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashSecret('🔑')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('generates 256 random bits by default, base64url-encoded', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it('generates the number of bytes asked for', () => {
    expect(Buffer.from(generateSecret(16), 'base64url')).toHaveLength(16);
    expect(Buffer.from(generateSecret(64), 'base64url')).toHaveLength(64);
  });

  it('never repeats itself and uses every bit (no fixed bytes across 2,000 secrets)', () => {
    const secrets = Array.from({ length: 2000 }, () => generateSecret());
    expect(new Set(secrets).size).toBe(secrets.length);
    const ored = Buffer.alloc(32);
    const anded = Buffer.alloc(32, 0xff);
    for (const secret of secrets) {
      const bytes = Buffer.from(secret, 'base64url');
      for (let i = 0; i < 32; i++) {
        ored[i]! |= bytes[i]!;
        anded[i]! &= bytes[i]!;
      }
    }
    expect([...ored].every((b) => b === 0xff)).toBe(true);
    expect([...anded].every((b) => b === 0)).toBe(true);
  });

  it('compares in constant time: equal, different, and different lengths', () => {
    expect(constantTimeEquals('abc', 'abc')).toBe(true);
    expect(constantTimeEquals('abc', 'abd')).toBe(false);
    expect(constantTimeEquals('abc', 'abcd')).toBe(false);
    expect(constantTimeEquals('', '')).toBe(true);
  });
});
