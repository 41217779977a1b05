/**
 * Time-based one-time passwords as authenticator apps make them (RFC 6238 over RFC 4226 HOTP):
 * HMAC-SHA-1, 6 digits, 30-second steps. Pure functions: the caller passes the time, so tests (and
 * the app's movable clock, clock.ts) decide what "now" is.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** A code from one step before or after the current one is accepted too (clock drift, typing time). */
export const TOTP_WINDOW_STEPS = 1;
export const TOTP_ISSUER = 'Latchkey';
/** 160-bit secrets, the size RFC 4226 recommends for HMAC-SHA-1. */
const SECRET_BYTES = 20;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index < 0) throw new Error('Not base32 text.');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new random TOTP secret, as the base32 text authenticator apps take. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(SECRET_BYTES));
}

/** The time step (counter) a moment falls in. */
export function totpStep(atMs: number): number {
  return Math.floor(atMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** RFC 4226 HOTP value for one counter. `digits` is only for the RFC's 8-digit test vectors. */
export function hotp(
  secret: Buffer,
  counter: number,
  digits = TOTP_DIGITS,
  algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1',
): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The code an authenticator app shows at `atMs`. */
export function totpCode(secretBase32: string, atMs: number): string {
  return hotp(base32Decode(secretBase32), totpStep(atMs));
}

/**
 * Checks a code against the steps around `atMs` and returns the step it matched, or null.
 * `lastUsedStep` is the replay guard: a code from that step or an earlier one is refused (it may
 * have been seen by someone over a shoulder or in transit), even inside the window.
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  atMs: number,
  lastUsedStep: number | null = null,
): number | null {
  const typed = code.replace(/\s/g, '');
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(typed)) return null;
  const secret = base32Decode(secretBase32);
  const current = totpStep(atMs);
  let matched: number | null = null;
  // Every candidate is computed and compared (no early exit), so timing says nothing about which matched.
  for (let step = current - TOTP_WINDOW_STEPS; step <= current + TOTP_WINDOW_STEPS; step += 1) {
    const equal = timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(typed));
    if (equal && matched === null && (lastUsedStep === null || step > lastUsedStep)) matched = step;
  }
  return matched;
}

/** The standard otpauth:// URI (what the QR code holds), labelled "Latchkey:<email>". */
export function totpUri(secretBase32: string, accountEmail: string): string {
  const label = `${encodeURIComponent(TOTP_ISSUER)}:${encodeURIComponent(accountEmail)}`;
  const params = new URLSearchParams({
    secret: secretBase32,
    issuer: TOTP_ISSUER,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_PERIOD_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
