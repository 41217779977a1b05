import { dictionary } from '@zxcvbn-ts/language-common';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../shared/schemas/common.js';

/**
 * The one password policy, applied to every password set anywhere (setup, New User, resets, CLI).
 * It follows NIST SP 800-63B: length, a blocklist of common passwords and context words, and no
 * composition rules. Length is counted in characters (code points), so spaces and emoji count.
 */

// zxcvbn-ts ships ~49,000 passwords seen most often in breaches.
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  (dictionary as { passwords: string[] }).passwords.map((p) => p.toLowerCase()),
);

export function commonPasswordCount(): number {
  return COMMON_PASSWORDS.size;
}

export interface PasswordContext {
  email?: string;
  firstName?: string;
  lastName?: string;
}

/** Returns why the password is not acceptable, or null when it is. */
export function checkPasswordPolicy(password: string, context: PasswordContext = {}): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`;
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered) || /^(.)\1+$/u.test(password)) {
    return 'This password is too common. Choose something harder to guess.';
  }
  const email = context.email?.trim().toLowerCase();
  const localPart = email?.split('@')[0];
  const name = [context.firstName, context.lastName].filter(Boolean).join(' ').trim().toLowerCase();
  const compact = (s: string) => s.replace(/[\s._-]+/g, '');
  const contextWords = [email, localPart, name, name && compact(name)].filter(
    (w): w is string => typeof w === 'string' && w.length >= 3,
  );
  // "alice.smith" and "alice.smith2024!" are both just the name: ignore digits and symbols at the end.
  const core = compact(lowered).replace(/[\d\p{P}\p{S}]+$/u, '');
  if (contextWords.some((word) => core === compact(word) || compact(lowered) === compact(word))) {
    return 'Password must not be your email address or your name.';
  }
  return null;
}
