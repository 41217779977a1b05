/**
 * A SAML 2.0 identity provider for tests: it signs REAL assertions with xml-crypto and the test
 * key (tests/fixtures/saml/idp-key.pem), so Latchkey's side (node-saml) verifies them exactly as
 * it would a production IdP's. `buildSamlResponse` makes one response with knobs for every way an
 * answer can be wrong; `startTestSamlIdp` serves an SSO URL on 127.0.0.1 that reads an
 * HTTP-Redirect AuthnRequest and answers with the auto-posting form a browser would get.
 *
 * No vitest here: the Playwright end-to-end tests use it too.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

const FIXTURES = new URL('../fixtures/saml/', import.meta.url);
const readFixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

/** The key pair the test IdP signs with (its certificate is what Latchkey is configured to trust). */
export const TEST_IDP_KEY = readFixture('idp-key.pem');
export const TEST_IDP_CERT = readFixture('idp-cert.pem');
/** Another key pair: a response signed with it must be refused. */
export const OTHER_KEY = readFixture('other-key.pem');
export const OTHER_CERT = readFixture('other-cert.pem');

export const NAMEID_FORMAT = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;

/** Who the IdP says signed in. */
export interface SamlPerson {
  nameId: string;
  nameIdFormat?: string;
  /** Attribute name → one value or several (a multi-valued attribute such as groups). */
  attributes?: Record<string, string | string[]>;
}

export interface BuildSamlResponseOptions {
  /** The IdP's entity ID (Issuer of the Response and of the Assertion). */
  issuer: string;
  /** Where it is posted (Response Destination; also the default Recipient). */
  acsUrl: string;
  /** AudienceRestriction/Audience: the SP entity ID. */
  audience: string;
  /** The AuthnRequest ID this answers; null leaves InResponseTo out entirely (IdP-initiated). */
  inResponseTo: string | null;
  person: SamlPerson;
  /** Which element carries an enveloped signature. Default 'assertion'. */
  sign?: 'assertion' | 'response' | 'both' | 'none';
  /** Signing key and certificate (KeyInfo). Default: the test IdP's pair. */
  key?: string;
  cert?: string;
  /** SubjectConfirmationData Recipient. Default: acsUrl. */
  recipient?: string;
  /** Offsets from now, in ms, of Conditions NotBefore / NotOnOrAfter (the latter also SubjectConfirmationData's). */
  notBeforeOffsetMs?: number;
  notOnOrAfterOffsetMs?: number;
  /** Offset from now of IssueInstant / AuthnInstant. Default 0. */
  issueInstantOffsetMs?: number;
  assertionId?: string;
  /** Applied to the XML after signing (to tamper with a signed response). */
  afterSigning?: (xml: string) => string;
}

const SIGNATURE_ALGORITHM = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const DIGEST_ALGORITHM = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const escapeHtml = escapeXml;

export function newSamlId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

/** Enveloped RSA-SHA256 signature (exclusive c14n) of the element with `id`, placed after its Issuer as the schema wants. */
function signElement(xml: string, id: string, key: string, cert: string): string {
  const signature = new SignedXml({
    privateKey: key,
    publicCert: cert,
    signatureAlgorithm: SIGNATURE_ALGORITHM,
    canonicalizationAlgorithm: EXCLUSIVE_C14N,
  });
  signature.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: [ENVELOPED, EXCLUSIVE_C14N],
    digestAlgorithm: DIGEST_ALGORITHM,
  });
  signature.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signature.getSignedXml();
}

/** A SAML 2.0 Response with one Assertion, signed as asked; returns it base64-encoded (as the POST binding carries it). */
export function buildSamlResponse(options: BuildSamlResponseOptions): string {
  const now = Date.now();
  const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  const issueInstant = iso(options.issueInstantOffsetMs ?? 0);
  const notBefore = iso(options.notBeforeOffsetMs ?? -60_000);
  const notOnOrAfter = iso(options.notOnOrAfterOffsetMs ?? 5 * 60_000);
  const responseId = newSamlId();
  const assertionId = options.assertionId ?? newSamlId();
  const inResponseTo = options.inResponseTo === null ? '' : ` InResponseTo="${escapeXml(options.inResponseTo)}"`;
  const issuer = `<saml:Issuer>${escapeXml(options.issuer)}</saml:Issuer>`;
  const attributes = Object.entries(options.person.attributes ?? {})
    .map(([name, value]) => {
      const values = (Array.isArray(value) ? value : [value])
        .map((v) => `<saml:AttributeValue>${escapeXml(v)}</saml:AttributeValue>`)
        .join('');
      return `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values}</saml:Attribute>`;
    })
    .join('');

  const assertion =
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${issueInstant}">` +
    issuer +
    `<saml:Subject>` +
    `<saml:NameID Format="${escapeXml(options.person.nameIdFormat ?? NAMEID_FORMAT.persistent)}">${escapeXml(options.person.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${escapeXml(options.recipient ?? options.acsUrl)}"${inResponseTo}/>` +
    `</saml:SubjectConfirmation>` +
    `</saml:Subject>` +
    `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}">` +
    `<saml:AudienceRestriction><saml:Audience>${escapeXml(options.audience)}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${issueInstant}" SessionIndex="${newSamlId()}">` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement>` +
    (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
    `</saml:Assertion>`;

  let xml =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="${responseId}" Version="2.0" IssueInstant="${issueInstant}" Destination="${escapeXml(options.acsUrl)}"${inResponseTo}>` +
    issuer +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    assertion +
    `</samlp:Response>`;

  const sign = options.sign ?? 'assertion';
  const key = options.key ?? TEST_IDP_KEY;
  const cert = options.cert ?? TEST_IDP_CERT;
  // The assertion first: a Response signature must cover the assertion's signature too.
  if (sign === 'assertion' || sign === 'both') xml = signElement(xml, assertionId, key, cert);
  if (sign === 'response' || sign === 'both') xml = signElement(xml, responseId, key, cert);
  if (options.afterSigning) xml = options.afterSigning(xml);
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** What an HTTP-Redirect AuthnRequest says (after inflating and parsing it). */
export interface ReceivedAuthnRequest {
  id: string;
  issuer: string;
  destination: string;
  assertionConsumerServiceUrl: string;
  relayState: string | null;
  xml: string;
}

/** Reads the SAMLRequest (and RelayState) of an HTTP-Redirect binding URL. */
export async function readRedirectAuthnRequest(url: string | URL): Promise<ReceivedAuthnRequest> {
  const parsed = new URL(url);
  const encoded = parsed.searchParams.get('SAMLRequest');
  if (!encoded) throw new Error('no SAMLRequest in the URL');
  const xml = (await promisify(inflateRaw)(Buffer.from(encoded, 'base64'))).toString('utf8');
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  if (!root || root.localName !== 'AuthnRequest') throw new Error('the SAMLRequest is not an AuthnRequest');
  const issuer = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0];
  return {
    id: root.getAttribute('ID') ?? '',
    issuer: issuer?.textContent ?? '',
    destination: root.getAttribute('Destination') ?? '',
    assertionConsumerServiceUrl: root.getAttribute('AssertionConsumerServiceURL') ?? '',
    relayState: parsed.searchParams.get('RelayState'),
    xml,
  };
}

export interface TestSamlIdp {
  entityId: string;
  /** SingleSignOnService (HTTP-Redirect). */
  ssoUrl: string;
  /** SingleLogoutService: a page that only says you are signed out. */
  logoutUrl: string;
  /** PEM of the signing certificate, as the SP is configured to trust it. */
  certificate: string;
  /** Who signs in on the next request (default: a fixed test person). */
  setNextPerson(person: SamlPerson): void;
  /** The AuthnRequests received so far, newest last. */
  requests: ReceivedAuthnRequest[];
  /** IdP metadata: entity ID, SSO and SLO endpoints, signing certificate. */
  metadataXml(): string;
  close(): Promise<void>;
}

export const DEFAULT_TEST_PERSON: SamlPerson = {
  nameId: 'saml-person-1',
  attributes: { email: 'saml.person@corp.example', firstName: 'Sam', lastName: 'Elle' },
};

/**
 * Starts the test IdP on 127.0.0.1 (random port). GET /sso?SAMLRequest=…&RelayState=… answers an
 * HTML page whose form posts a signed SAMLResponse and the RelayState to the request's ACS URL
 * (automatically with JavaScript; with a Continue button without). The audience is the request's
 * Issuer, InResponseTo its ID. `options` are passed on to buildSamlResponse for every answer.
 */
export async function startTestSamlIdp(
  options: { entityId?: string; response?: Partial<BuildSamlResponseOptions> } = {},
): Promise<TestSamlIdp> {
  let nextPerson: SamlPerson = DEFAULT_TEST_PERSON;
  const requests: ReceivedAuthnRequest[] = [];
  let base = '';
  const entityId = () => options.entityId ?? `${base}/metadata`;

  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', base);
      if (request.method === 'GET' && url.pathname === '/sso') {
        const authnRequest = await readRedirectAuthnRequest(url);
        requests.push(authnRequest);
        const samlResponse = buildSamlResponse({
          issuer: entityId(),
          acsUrl: authnRequest.assertionConsumerServiceUrl,
          audience: authnRequest.issuer,
          inResponseTo: authnRequest.id,
          person: nextPerson,
          ...options.response,
        });
        const relayState = authnRequest.relayState ?? '';
        const html =
          `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Test SAML IdP</title></head>` +
          `<body onload="document.forms[0].submit()">` +
          `<form method="post" action="${escapeHtml(authnRequest.assertionConsumerServiceUrl)}">` +
          `<input type="hidden" name="SAMLResponse" value="${escapeHtml(samlResponse)}">` +
          `<input type="hidden" name="RelayState" value="${escapeHtml(relayState)}">` +
          `<button type="submit">Continue</button>` +
          `</form></body></html>`;
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        response.end(html);
        return;
      }
      if (request.method === 'GET' && url.pathname === '/slo') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end('<!DOCTYPE html><html><body><p>You are signed out of the test IdP.</p></body></html>');
        return;
      }
      if (request.method === 'GET' && url.pathname === '/metadata') {
        response.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
        response.end(metadataXml());
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    })().catch((error: unknown) => {
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function metadataXml(): string {
    const certBody = TEST_IDP_CERT.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    return (
      `<?xml version="1.0" encoding="UTF-8"?>` +
      `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${escapeXml(entityId())}">` +
      `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
      `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
      `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/slo"/>` +
      `<md:NameIDFormat>${NAMEID_FORMAT.persistent}</md:NameIDFormat>` +
      `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/sso"/>` +
      `</md:IDPSSODescriptor>` +
      `</md:EntityDescriptor>`
    );
  }

  return {
    get entityId() {
      return entityId();
    },
    ssoUrl: `${base}/sso`,
    logoutUrl: `${base}/slo`,
    certificate: TEST_IDP_CERT,
    setNextPerson(person) {
      nextPerson = person;
    },
    requests,
    metadataXml,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
