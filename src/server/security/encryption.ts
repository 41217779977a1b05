/**
 * Encryption of secrets at rest (TOTP secrets) with the instance's secret key: AES-256-GCM, a fresh
 * 96-bit nonce per value, and additional authenticated data naming what the value belongs to, so a
 * ciphertext copied into another row (another factor, another account) fails to decrypt instead of
 * quietly working there.
 *
 * Stored format: `v1.<nonce>.<ciphertext>.<tag>`, each part base64url. The version prefix lets a
 * later key or algorithm coexist with rows written under this one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends Error {
  constructor() {
    super('The stored secret could not be decrypted (wrong key, wrong owner, or altered).');
    this.name = 'DecryptionError';
  }
}

function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new Error('The encryption key must be 32 bytes.');
}

export function encryptSecret(key: Buffer, plaintext: string, associatedData: string): string {
  assertKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, nonce, ciphertext, tag]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Throws DecryptionError for anything that is not a value this key sealed for this associated data. */
export function decryptSecret(key: Buffer, stored: string, associatedData: string): string {
  assertKey(key);
  const parts = stored.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new DecryptionError();
  const [nonce, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url')) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) throw new DecryptionError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError();
  }
}
