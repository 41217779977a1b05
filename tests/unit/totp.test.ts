import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  hotp,
  totpCode,
  totpStep,
  totpUri,
  verifyTotp,
} from '../../src/server/security/totp.js';

/** RFC 6238 Appendix B: (time in seconds, expected 8-digit code) per algorithm and its seed. */
const RFC_6238_VECTORS = {
  sha1: {
    seed: '12345678901234567890',
    codes: ['94287082', '07081804', '14050471', '89005924', '69279037', '65353130'],
  },
  sha256: {
    seed: '12345678901234567890123456789012',
    codes: ['46119246', '68084774', '67062674', '91819424', '90698825', '77737706'],
  },
  sha512: {
    seed: '1234567890123456789012345678901234567890123456789012345678901234',
    codes: ['90693936', '25091201', '99943326', '93441116', '38618901', '47863826'],
  },
} as const;
const RFC_TIMES = [59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000];

describe('TOTP (RFC 6238)', () => {
  for (const [algorithm, vector] of Object.entries(RFC_6238_VECTORS)) {
    it(`matches the RFC 6238 test vectors for ${algorithm.toUpperCase()}`, () => {
      const secret = Buffer.from(vector.seed, 'ascii');
      const codes = RFC_TIMES.map((seconds) => hotp(secret, totpStep(seconds * 1000), 8, algorithm as 'sha1'));
      expect(codes).toEqual(vector.codes);
    });
  }

  it('makes 6-digit SHA-1 codes that agree with the otpauth library (what authenticator apps do)', () => {
    const secret = generateTotpSecret();
    const reference = new OTPAuth.TOTP({
      secret: OTPAuth.Secret.fromBase32(secret),
      digits: 6,
      period: 30,
      algorithm: 'SHA1',
    });
    for (const at of [0, 59_000, 1_700_000_000_000, Date.now()]) {
      expect(totpCode(secret, at)).toBe(reference.generate({ timestamp: at }));
    }
  });

  it('round-trips base32 and makes 160-bit secrets', () => {
    const bytes = randomBytes(20);
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    expect(base32Decode(generateTotpSecret())).toHaveLength(20);
    expect(base32Encode(Buffer.from('12345678901234567890'))).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  describe('verification window and replay (controllable clock)', () => {
    const secret = generateTotpSecret();
    const now = 1_700_000_015_000; // 15 s into a step
    const step = totpStep(now);
    const codeAt = (s: number) => totpCode(secret, s * 30_000);

    it('accepts the current step and one step either side, returning the matched step', () => {
      expect(verifyTotp(secret, codeAt(step), now)).toBe(step);
      expect(verifyTotp(secret, codeAt(step - 1), now)).toBe(step - 1);
      expect(verifyTotp(secret, codeAt(step + 1), now)).toBe(step + 1);
    });

    it('refuses codes two steps away, wrong codes and malformed input', () => {
      expect(verifyTotp(secret, codeAt(step - 2), now)).toBeNull();
      expect(verifyTotp(secret, codeAt(step + 2), now)).toBeNull();
      const wrong = String((Number(codeAt(step)) + 1) % 1_000_000).padStart(6, '0');
      expect(verifyTotp(secret, wrong, now)).toBeNull();
      for (const bad of ['', '12345', '1234567', 'abcdef', ' 12 34 ']) expect(verifyTotp(secret, bad, now)).toBeNull();
    });

    it('accepts spaces inside a code ("123 456", as apps show it)', () => {
      const code = codeAt(step);
      expect(verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(step);
    });

    it('refuses a code from the last used step or an earlier one (replay), but accepts a later step', () => {
      expect(verifyTotp(secret, codeAt(step), now, step)).toBeNull();
      expect(verifyTotp(secret, codeAt(step - 1), now, step)).toBeNull();
      expect(verifyTotp(secret, codeAt(step - 1), now, step - 1)).toBeNull();
      expect(verifyTotp(secret, codeAt(step), now, step - 1)).toBe(step);
      expect(verifyTotp(secret, codeAt(step + 1), now, step)).toBe(step + 1);
    });
  });

  it('builds the standard otpauth URI with issuer Latchkey and the account email', () => {
    const uri = totpUri('JBSWY3DPEHPK3PXP', 'ada+mfa@example.test');
    expect(uri).toBe(
      'otpauth://totp/Latchkey:ada%2Bmfa%40example.test?secret=JBSWY3DPEHPK3PXP&issuer=Latchkey&algorithm=SHA1&digits=6&period=30',
    );
    const parsed = OTPAuth.URI.parse(uri);
    expect(parsed.issuer).toBe('Latchkey');
    expect(parsed.label).toBe('ada+mfa@example.test');
    expect(parsed.secret.base32).toBe('JBSWY3DPEHPK3PXP');
  });
});
