/**
 * How many sign-in password checks argon2id alone does per second on the threads given to it: the
 * yardstick for the sign-in storm. Same hash, same parameters, same function (verifyPassword) as a
 * sign-in; run on the core the server gets. argv: seconds, concurrency.
 */
import { performance } from 'node:perf_hooks';
import { hashPassword, verifyPassword } from '../src/server/security/password-hashing.js';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 20);
const passwordHash = await hashPassword('bench correct horse battery staple');
let done = 0;
const end = performance.now() + seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      if (!(await verifyPassword(passwordHash, 'bench correct horse battery staple'))) throw new Error('verify failed');
      done++;
    }
  }),
);
process.stdout.write(JSON.stringify({ verifiesPerSecond: done / ((performance.now() - started) / 1000) }) + '\n');
