import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, DecryptionError, encryptSecret } from '../../src/server/security/encryption.js';

const key = randomBytes(32);
const aad = 'mfa_factor:factor-1:user-1';

describe('secret encryption at rest (AES-256-GCM)', () => {
  it('round-trips, with a versioned format and a fresh nonce each time', () => {
    const a = encryptSecret(key, 'JBSWY3DPEHPK3PXP', aad);
    const b = encryptSecret(key, 'JBSWY3DPEHPK3PXP', aad);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(decryptSecret(key, a, aad)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a wrong key', () => {
    const sealed = encryptSecret(key, 'secret', aad);
    expect(() => decryptSecret(randomBytes(32), sealed, aad)).toThrow(DecryptionError);
  });

  it('refuses a value moved to another factor or account (associated data differs)', () => {
    const sealed = encryptSecret(key, 'secret', aad);
    expect(() => decryptSecret(key, sealed, 'mfa_factor:factor-1:user-2')).toThrow(DecryptionError);
    expect(() => decryptSecret(key, sealed, 'mfa_factor:factor-2:user-1')).toThrow(DecryptionError);
  });

  it('refuses any altered part and unknown formats', () => {
    const sealed = encryptSecret(key, 'secret', aad);
    const parts = sealed.split('.');
    for (const index of [1, 2, 3]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const altered = [...parts];
      altered[index] = bytes.toString('base64url');
      expect(() => decryptSecret(key, altered.join('.'), aad)).toThrow(DecryptionError);
    }
    expect(() => decryptSecret(key, `v2.${parts.slice(1).join('.')}`, aad)).toThrow(DecryptionError);
    expect(() => decryptSecret(key, 'garbage', aad)).toThrow(DecryptionError);
  });

  it('insists on a 32-byte key', () => {
    expect(() => encryptSecret(randomBytes(16), 'secret', aad)).toThrow();
  });
});
