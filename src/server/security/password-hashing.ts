import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's minimum (m=19456 KiB, t=2, p=1). It runs on libuv's thread pool, so the
 * event loop stays free while it works.
 */
const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated modules cannot import)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * Passwords are hashed and compared in Unicode NFC, here and nowhere else (the policy counts and
 * compares in NFC too). "é" can arrive as one code point (U+00E9, what most keyboards send) or as
 * "e" plus a combining accent (U+0301, what some macOS and mobile input produces); without this,
 * a person who set a password on one device could not sign in on another (NIST SP 800-63B 5.1.1.2).
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), ARGON2_OPTIONS);
}

/**
 * A real hash of a random string, verified when the account does not exist or cannot sign in,
 * so that a wrong email costs the same time as a wrong password.
 */
let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against its hash in NFC. Hashes made before passwords were normalised hold
 * whatever form was typed then; for those the raw form is tried too, but only when it differs
 * from its NFC form (so a second argon2 run happens only for decomposed input, never for the usual
 * case, and each attempt still tests one password: the one the person typed). The alternative,
 * rehashing every stored password, is impossible without the passwords, and refusing such old
 * hashes would lock their owners out.
 */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  const normalized = password.normalize('NFC');
  if (passwordHash === null) {
    dummyHash ??= hashPassword(`no-account-${Math.random()}`);
    await verify(await dummyHash, normalized).catch(() => false);
    return false;
  }
  if (await verifySafely(passwordHash, normalized)) return true;
  return normalized !== password && (await verifySafely(passwordHash, password));
}

async function verifySafely(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
