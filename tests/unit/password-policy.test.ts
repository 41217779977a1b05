import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, commonPasswordCount } from '../../src/server/security/password-policy.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/shared/schemas/common.js';

const ok = (password: string, context = {}) => expect(checkPasswordPolicy(password, context), password).toBeNull();
const refused = (password: string, pattern: RegExp, context = {}) =>
  expect(checkPasswordPolicy(password, context), password).toMatch(pattern);

describe('password policy (NIST SP 800-63B: length, blocklist, context; no composition rules)', () => {
  it('loads at least 10,000 common passwords', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
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
  });

  it('refuses common passwords from the breach list, whatever their letter case', () => {
    for (const common of [
      'password1234',
      'PASSWORD1234',
      'Password1234',
      'qwertyuiop123',
      '123qweasdzxc',
      'qwerty123456',
    ])
      refused(common, /too common/);
  });

  it('refuses a single character repeated', () => {
    refused('aaaaaaaaaaaaaaaa', /too common/);
    refused('............', /too common/);
    refused('😀😀😀😀😀😀😀😀😀😀😀😀', /too common/);
  });

  describe("context: the account's own email and name", () => {
    const context = { email: 'Alice.Smith@Example.test', firstName: 'Alice', lastName: 'Smith' };
    it('refuses the email address, in any case', () =>
      refused('alice.smith@example.test', /email address or your name/, context));
    it('refuses the part of the email before the @, with digits or symbols added at the end', () => {
      const mailbox = { email: 'margaret.hamilton@example.test' };
      refused('margaret.hamilton', /email address or your name/, mailbox);
      refused('margaret.hamilton1969!', /email address or your name/, mailbox);
      refused('MargaretHamilton', /email address or your name/, mailbox);
    });
    it('refuses the name, with or without spaces, dots or dashes, and with trailing digits or symbols', () => {
      const person = { email: 'x@example.test', firstName: 'Marguerite', lastName: 'Delacroix' };
      refused('Marguerite Delacroix', /your name/, person);
      refused('marguerite.delacroix', /your name/, person);
      refused('Marguerite-Delacroix-2024!', /your name/, person);
      refused('margueritedelacroix99', /your name/, person);
    });
    it('accepts a password that merely contains the name among other words', () => {
      ok('marguerite paints the harbour', { email: 'x@example.test', firstName: 'Marguerite', lastName: 'Delacroix' });
    });
    it('works without any context', () => ok('violet harbour lantern 93'));
  });
});
