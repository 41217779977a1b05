import { availableParallelism } from 'node:os';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

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
 * How many argon2 computations run at once: one core is always left to the event loop (all of
 * them on a one-core machine), so a sign-in storm slows sign-ins, not every other request. With
 * libuv's default four threads, four hashes on a one-core server took 80 % of the core: token
 * calls waited 60–90 ms (p99) behind them. Sign-ins past the limit wait their turn, in order.
 */
const ARGON2_AT_ONCE = Math.max(1, availableParallelism() - 1);
let argon2Running = 0;
const argon2Waiting: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (argon2Running >= ARGON2_AT_ONCE) await new Promise<void>((resolve) => argon2Waiting.push(resolve));
  else argon2Running++;
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next in line (the count stays), or give it back.
    const next = argon2Waiting.shift();
    if (next) next();
    else argon2Running--;
  }
}

const hash = (password: string, options: typeof ARGON2_OPTIONS) => limited(() => argon2Hash(password, options));
const verify = (passwordHash: string, password: string) => limited(() => argon2Verify(passwordHash, password));

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
