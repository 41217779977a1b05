import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random secret of `bytes` bytes (32 = 256 bits), base64url-encoded. */
export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 of a high-entropy secret (session ID, API token, setup link). A fast hash is right here:
 * the input has 256 bits of randomness, so there is nothing to brute-force, and lookups stay indexed.
 */
export function hashSecret(secret: string): string {
  // The one-shot form: a fifth of createHash()'s cost, and every request hashes its credential.
  return hash('sha256', secret, 'hex');
}

export function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
