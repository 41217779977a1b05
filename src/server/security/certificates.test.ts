import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../app-error.js';
import {
  CertificateError,
  certificateValidityAt,
  describeCertificate,
  parseCertificate,
  readCertificate,
} from './certificates.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../tests/fixtures/saml/${name}`, import.meta.url), 'utf8');
const IDP_CERT = fixture('idp-cert.pem');
const EXPIRED_CERT = fixture('expired-cert.pem');
/** The base64 body of a PEM, the way IdP metadata carries it. */
const bare = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

describe('readCertificate', () => {
  it('reads a PEM certificate: normalised PEM, one-line subject, expiry as ISO text', () => {
    const parsed = readCertificate(IDP_CERT);
    expect(parsed.pem).toBe(IDP_CERT.trim() + '\n');
    expect(parsed.subject).toBe('CN=Latchkey test SAML IdP (tests only)');
    expect(parsed.expiresAt).toBe('2126-11-03T23:24:56.000Z');
    expect(parsed.notBefore).toBe('2026-11-27T23:24:56.000Z');
  });

  it('accepts bare base64 with any whitespace and wraps it as the same PEM', () => {
    const spaced = bare(IDP_CERT).replace(/(.{50})/g, '$1 \r\n\t');
    expect(readCertificate(spaced).pem).toBe(readCertificate(IDP_CERT).pem);
  });

  it('takes a PEM pasted with text around it', () => {
    expect(readCertificate(`Subject: whatever\n${IDP_CERT}\ntrailing notes`).pem).toBe(readCertificate(IDP_CERT).pem);
  });

  it('refuses a private key with a message that says so', () => {
    expect(() => readCertificate(fixture('idp-key.pem'))).toThrow(/private key, not a certificate/);
  });

  it('refuses garbage, non-base64 and base64 that is not a certificate', () => {
    for (const input of ['', 'hello world!', 'QUJDRA==', '-----BEGIN CERTIFICATE-----\nQUJD']) {
      expect(() => readCertificate(input), input).toThrow(CertificateError);
    }
  });
});

describe('parseCertificate', () => {
  it('turns a refusal into a 400 field error on the given field', () => {
    try {
      parseCertificate('not a certificate', 'saml.certificate');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
      expect(Object.keys((error as AppError).fields ?? {})).toEqual(['saml.certificate']);
    }
  });
});

describe('describeCertificate', () => {
  it('gives subject and expiry, or null for a stored value that does not parse', () => {
    expect(describeCertificate(EXPIRED_CERT)).toEqual({
      subject: 'CN=Expired SAML IdP (tests only)',
      expiresAt: '2021-01-01T00:00:00.000Z',
    });
    expect(describeCertificate('nonsense')).toBeNull();
  });
});

describe('certificateValidityAt', () => {
  const certificate = { notBefore: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z' };
  const at = (iso: string) => certificateValidityAt(certificate, Date.parse(iso));

  it('passes inside the validity period and says until when', () => {
    expect(at('2026-06-01T00:00:00Z')).toEqual({ ok: true, message: 'The certificate is valid until 2027-01-01.' });
  });

  it('passes with a warning in the last 30 days', () => {
    const result = at('2026-12-22T00:00:00Z');
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^Warning: the certificate expires on 2027-01-01, in 10 days\./);
  });

  it('fails once expired, and before it is valid', () => {
    expect(at('2027-01-01T00:00:00Z')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/expired on 2027-01-01/),
    });
    expect(at('2025-12-31T00:00:00Z')).toMatchObject({ ok: false, message: expect.stringMatching(/not valid until/) });
  });
});
