/**
 * X.509 certificates as administrators paste them (a SAML identity provider's signing
 * certificate): PEM or the bare base64 that IdP metadata carries, normalised to one PEM form and
 * read with node:crypto, so Latchkey can show whose certificate it is and when it expires.
 */
import { X509Certificate } from 'node:crypto';
import { fieldError } from '../app-error.js';

export interface ParsedCertificate {
  /** Normalised PEM: one certificate, 64-character lines, a trailing newline. */
  pem: string;
  /** "CN=Okta, O=Example": the subject's attributes on one line. */
  subject: string;
  /** ISO-8601 UTC. */
  notBefore: string;
  /** ISO-8601 UTC. */
  expiresAt: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Why a pasted certificate is refused; the route shows it next to the field. */
export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

/**
 * The base64 DER of the first certificate in `input` (PEM or bare base64, any whitespace).
 * Refuses a private key outright, with a message that says why, rather than storing it.
 */
function certificateBase64Of(input: string): string {
  const text = input.trim();
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
    throw new CertificateError(
      'This is a private key, not a certificate. Paste the identity provider’s public signing certificate (and keep the private key secret).',
    );
  const block = PEM_BLOCK.exec(text);
  if (block) {
    if (block[1] !== 'CERTIFICATE')
      throw new CertificateError(`This is a PEM "${block[1]}", not a certificate. Paste a "CERTIFICATE" block.`);
    return block[2]!.replace(/\s+/g, '');
  }
  if (text.includes('-----'))
    throw new CertificateError('The certificate’s BEGIN and END lines do not match. Paste the whole PEM block.');
  return text.replace(/\s+/g, '');
}

/** PEM text of a base64 DER certificate, wrapped at 64 characters as RFC 7468 says. */
function pemOf(base64: string): string {
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** node:crypto's validTo ("Nov  3 23:24:56 2126 GMT") as ISO text; Node 20 has no validToDate yet. */
function isoOf(opensslDate: string): string {
  const ms = Date.parse(opensslDate);
  if (Number.isNaN(ms)) throw new CertificateError('The certificate’s validity dates could not be read.');
  return new Date(ms).toISOString();
}

/**
 * Reads a certificate (PEM or bare base64). Throws CertificateError with a message for a person
 * when it is not one; see parseCertificateField for the API's field error.
 */
export function readCertificate(input: string): ParsedCertificate {
  const base64 = certificateBase64Of(input);
  if (base64.length === 0) throw new CertificateError('Paste the signing certificate.');
  if (!BASE64.test(base64))
    throw new CertificateError('This is not a certificate: expected PEM or base64 (letters, digits, + and /).');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(Buffer.from(base64, 'base64'));
  } catch {
    throw new CertificateError('This is not a valid X.509 certificate. Paste the PEM or base64 the provider gives.');
  }
  return {
    pem: pemOf(certificate.raw.toString('base64')),
    subject: certificate.subject.split('\n').filter(Boolean).join(', '),
    notBefore: isoOf(certificate.validFrom),
    expiresAt: isoOf(certificate.validTo),
  };
}

/** readCertificate for a request field: a 400 naming `field` instead of a CertificateError. */
export function parseCertificate(input: string, field: string): ParsedCertificate {
  try {
    return readCertificate(input);
  } catch (error) {
    if (error instanceof CertificateError) throw fieldError(field, error.message);
    throw error;
  }
}

/** A stored certificate's subject and expiry for display, or null when it does not parse (never throws). */
export function describeCertificate(pem: string): Pick<ParsedCertificate, 'subject' | 'expiresAt'> | null {
  try {
    const { subject, expiresAt } = readCertificate(pem);
    return { subject, expiresAt };
  } catch {
    return null;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Below this, the connection test warns that the certificate needs replacing soon. */
export const CERTIFICATE_WARNING_DAYS = 30;

/**
 * Whether a certificate is in its validity period at `nowMs`, in words for the connection test:
 * not yet valid or expired fails; expiring within CERTIFICATE_WARNING_DAYS passes with a warning
 * (sign-ins still work, but will stop when it expires).
 */
export function certificateValidityAt(
  certificate: Pick<ParsedCertificate, 'notBefore' | 'expiresAt'>,
  nowMs: number,
): { ok: boolean; message: string } {
  const notBefore = Date.parse(certificate.notBefore);
  const expires = Date.parse(certificate.expiresAt);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (nowMs < notBefore) return { ok: false, message: `The certificate is not valid until ${day(notBefore)}.` };
  if (nowMs >= expires)
    return { ok: false, message: `The certificate expired on ${day(expires)}. Ask the provider for its new one.` };
  const daysLeft = Math.floor((expires - nowMs) / DAY_MS);
  if (daysLeft < CERTIFICATE_WARNING_DAYS)
    return {
      ok: true,
      message: `Warning: the certificate expires on ${day(expires)}, in ${daysLeft} day${daysLeft === 1 ? '' : 's'}. Replace it before then, or sign-ins will stop.`,
    };
  return { ok: true, message: `The certificate is valid until ${day(expires)}.` };
}
