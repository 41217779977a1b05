/**
 * SAML 2.0 service provider, one per identity provider, on @node-saml/node-saml: the library
 * checks the XML signature (never hand-rolled here), the time window, the audience and
 * InResponseTo; this module adds what it leaves to its caller (the assertion's Issuer, the
 * SubjectConfirmationData Recipient and InResponseTo, the Response Destination) and turns the
 * verified assertion into an SsoProfile. Replay of an assertion ID is refused by
 * used-assertions.ts, once the ACS has consumed the flow.
 *
 * Request IDs are ours: `_` + 160 random bits, used as the key of the single-use sign-in flow
 * (sso_login_flows, flows.ts), so InResponseTo is checked against the shared database on any
 * node, not against node-saml's per-process memory.
 */
import { randomBytes } from 'node:crypto';
import type { CacheProvider, Profile, SAML } from '@node-saml/node-saml';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowMs } from '../clock.js';
import { loadXmldom } from '../security/saml-metadata.js';
import { samlSettingsOf, serviceProviderUrls, type IdentityProviderRow } from './provider-settings.js';
import { liveSsoFlowCreatedAt, SSO_FLOW_LIFETIME_MS } from './flows.js';
import { SsoSignInError, type SsoProfile } from './sign-in.js';
import { once } from '../once.js';

/** Loaded on the first SAML request, not at start-up: importing it took ~100 ms (measured). */
const loadNodeSaml = once(() => import('@node-saml/node-saml'));

/** Clocks of the IdP and of Latchkey may differ a little; a minute, not more. */
export const SAML_CLOCK_SKEW_MS = 60_000;
/** A SAMLResponse of a large IdP with many groups is tens of KiB; refuse anything absurd before parsing. */
export const SAML_RESPONSE_MAX_CHARS = 700_000;

const NAMEID_EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const BEARER_METHOD = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';

/** Where an attribute may be found, in order: the names IdPs commonly use. */
const ATTRIBUTE_NAMES = {
  email: ['email', 'mail', `${CLAIMS}/emailaddress`, 'urn:oid:0.9.2342.19200300.100.1.3'],
  firstName: ['firstName', 'givenName', `${CLAIMS}/givenname`, 'urn:oid:2.5.4.42'],
  lastName: ['lastName', 'sn', 'surname', `${CLAIMS}/surname`, 'urn:oid:2.5.4.4'],
  title: ['title', 'jobTitle', 'urn:oid:2.5.4.12'],
  telephone: ['telephoneNumber', 'phone', 'urn:oid:2.5.4.20'],
} as const;

/** A new AuthnRequest ID: an NCName (must not start with a digit), unguessable. */
export function generateSamlRequestId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

/**
 * InResponseTo is answered from sso_login_flows: a live flow of this provider for that request ID.
 * Saving and removing are no-ops on purpose: the flow is created by startSsoFlow before the
 * request is sent, and consumed (atomically deleted) by the ACS after node-saml has validated.
 * The value returned is the flow's creation time, which node-saml compares with
 * requestIdExpirationPeriodMs.
 */
function flowCacheProvider(db: Kysely<Database>, providerId: string): CacheProvider {
  return {
    saveAsync: async () => null,
    removeAsync: async () => null,
    getAsync: async (key: string) => (key ? liveSsoFlowCreatedAt(db, { key, providerId }) : null),
  };
}

/** node-saml configured for one provider; `requestId` is the ID the next AuthnRequest gets. */
async function samlFor(
  db: Kysely<Database>,
  publicUrl: URL,
  provider: IdentityProviderRow,
  requestId?: string,
): Promise<SAML> {
  const { SAML, ValidateInResponseTo } = await loadNodeSaml();
  const settings = samlSettingsOf(provider);
  const sp = serviceProviderUrls(publicUrl, provider.id);
  return new SAML({
    entryPoint: settings.ssoUrl,
    issuer: sp.samlEntityId,
    callbackUrl: sp.samlAcsUrl,
    audience: sp.samlEntityId,
    idpCert: settings.certificate,
    idpIssuer: settings.entityId,
    // Only a signed Assertion counts; a signature on the Response alone does not cover what we read.
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    signatureAlgorithm: 'sha256',
    acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
    // Let the IdP use the NameID format and authentication method it is configured for: asking for
    // specific ones makes many IdPs refuse with an error page.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    // An unsolicited (IdP-initiated) response has no request of ours behind it: login CSRF bait.
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: SSO_FLOW_LIFETIME_MS,
    cacheProvider: flowCacheProvider(db, provider.id),
    generateUniqueId: () => requestId ?? generateSamlRequestId(),
  });
}

/** The URL that sends the browser to the IdP with a deflated AuthnRequest (HTTP-Redirect binding). */
export async function buildSamlAuthorizeUrl(
  db: Kysely<Database>,
  publicUrl: URL,
  provider: IdentityProviderRow,
  input: { requestId: string; relayState: string },
): Promise<string> {
  const saml = await samlFor(db, publicUrl, provider, input.requestId);
  return saml.getAuthorizeUrlAsync(input.relayState, undefined, {});
}

/** Latchkey's SP metadata for this provider, for the IdP administrator (unsigned: we sign nothing). */
export async function buildServiceProviderMetadata(
  publicUrl: URL,
  provider: Pick<IdentityProviderRow, 'id'>,
): Promise<string> {
  const { generateServiceProviderMetadata } = await loadNodeSaml();
  const sp = serviceProviderUrls(publicUrl, provider.id);
  return generateServiceProviderMetadata({
    issuer: sp.samlEntityId,
    callbackUrl: sp.samlAcsUrl,
    identifierFormat: null,
    wantAssertionsSigned: true,
    generateUniqueId: generateSamlRequestId,
  });
}

/** What a verified SAML response says: who, and which request it answers. */
export interface VerifiedSamlResponse {
  profile: SsoProfile;
  /** The request ID this assertion answers (the flow key), from the signed SubjectConfirmationData. */
  requestId: string;
  assertionId: string;
  /** Until when the assertion itself would be accepted (with skew): how long to remember its ID. */
  acceptedUntilMs: number;
}

function refusal(reason: string, code: 'failed' | 'expired' = 'failed'): SsoSignInError {
  return new SsoSignInError(code, reason.slice(0, 400));
}

/**
 * node-saml's messages for a request ID we do not know (never sent, expired or already used). A
 * response with no InResponseTo at all (IdP-initiated, or not a Response) is 'failed', not this.
 */
const UNKNOWN_REQUEST = /^(Subject)?InResponseTo is not valid/;

/**
 * Verifies a base64 SAMLResponse for `provider`, or throws SsoSignInError ('expired' for an
 * unknown, expired or used request ID; 'failed' for everything else) with the reason for the log.
 * Does not consume the flow nor record the assertion ID (used-assertions.ts): the caller does both
 * (see routes/sso-saml.ts).
 */
export async function verifySamlResponse(
  db: Kysely<Database>,
  publicUrl: URL,
  provider: IdentityProviderRow,
  samlResponse: string,
): Promise<VerifiedSamlResponse> {
  const settings = samlSettingsOf(provider);
  const sp = serviceProviderUrls(publicUrl, provider.id);
  if (samlResponse.length > SAML_RESPONSE_MAX_CHARS || !/^[A-Za-z0-9+/=\s]+$/.test(samlResponse))
    throw refusal('sso_invalid_response: SAMLResponse is not base64 of a sensible size');

  let profile: Profile | null;
  try {
    const saml = await samlFor(db, publicUrl, provider);
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (UNKNOWN_REQUEST.test(message)) throw refusal(`sso_unknown_request: ${message}`, 'expired');
    throw refusal(`sso_invalid_response: ${message}`);
  }
  if (!profile) throw refusal('sso_invalid_response: the response carries no assertion');

  // From here on, everything read comes from the signed assertion node-saml handed back.
  const assertion = (profile.getAssertion?.() as { Assertion?: XmlJsNode } | undefined)?.Assertion;
  if (!assertion) throw refusal('sso_invalid_response: no signed assertion');
  const issuer = text(first(assertion.Issuer));
  if (issuer !== settings.entityId)
    throw refusal(`sso_invalid_response: assertion issuer ${JSON.stringify(issuer)} is not ${settings.entityId}`);
  const assertionId = attribute(assertion, 'ID');
  if (!assertionId) throw refusal('sso_invalid_response: the assertion has no ID');

  const inResponseTo = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : '';
  const now = nowMs();
  // node-saml checks the time window of SubjectConfirmationData but not its Recipient, and lets
  // the signed InResponseTo be absent (then only the unsigned Response attribute binds it to our
  // request). Require one bearer confirmation that names our ACS, answers this request and is live.
  const confirmation = children(first(assertion.Subject), 'SubjectConfirmation').find((candidate) => {
    const data = first(candidate.SubjectConfirmationData);
    const notOnOrAfter = Date.parse(attribute(data, 'NotOnOrAfter') ?? '');
    return (
      attribute(candidate, 'Method') === BEARER_METHOD &&
      attribute(data, 'Recipient') === sp.samlAcsUrl &&
      inResponseTo !== '' &&
      attribute(data, 'InResponseTo') === inResponseTo &&
      Number.isFinite(notOnOrAfter) &&
      now - SAML_CLOCK_SKEW_MS < notOnOrAfter
    );
  });
  if (!confirmation)
    throw refusal(
      'sso_invalid_response: no bearer SubjectConfirmation for this ACS (Recipient) and request (InResponseTo)',
    );
  await checkDestination(profile.getSamlResponseXml?.() ?? '', sp.samlAcsUrl);

  const conditionsEnd = Date.parse(attribute(first(assertion.Conditions), 'NotOnOrAfter') ?? '');
  const confirmationEnd = Date.parse(attribute(first(confirmation.SubjectConfirmationData), 'NotOnOrAfter') ?? '');
  const ends = [conditionsEnd, confirmationEnd].filter(Number.isFinite);
  const acceptedUntilMs = Math.max(...ends, now) + SAML_CLOCK_SKEW_MS;

  return {
    profile: profileFrom(profile, settings.groupsAttribute),
    requestId: inResponseTo,
    assertionId,
    acceptedUntilMs,
  };
}

/**
 * A Response may name where it was sent (Destination); when it does, it must be us. The Response
 * element is not signed when only the assertion is, so this is a sanity check, not a security
 * boundary (the signed Recipient above is).
 */
async function checkDestination(responseXml: string, acsUrl: string): Promise<void> {
  if (!responseXml) return;
  const { DOMParser } = await loadXmldom();
  const root = new DOMParser().parseFromString(responseXml, 'text/xml').documentElement;
  const destination = root?.getAttribute('Destination');
  if (destination && destination !== acsUrl)
    throw refusal(`sso_invalid_response: Destination ${JSON.stringify(destination)} is not this ACS`);
}

type XmlJsNode = { $?: Record<string, string>; _?: string } & { [name: string]: unknown };

function first(value: unknown): XmlJsNode | undefined {
  return Array.isArray(value) ? (value[0] as XmlJsNode | undefined) : undefined;
}

function children(node: XmlJsNode | undefined, name: string): XmlJsNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value as XmlJsNode[]) : [];
}

function attribute(node: XmlJsNode | undefined, name: string): string | undefined {
  return node?.$?.[name];
}

function text(node: XmlJsNode | undefined): string {
  return typeof node?._ === 'string' ? node._ : '';
}

/** An attribute's values as strings (node-saml gives one value as a string, several as an array). */
function valuesOf(attributes: Record<string, unknown>, name: string): string[] {
  const raw = Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : undefined;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((value): value is string => typeof value === 'string').map((value) => value.trim());
}

/** The first of `names` the IdP sent (even empty); undefined when it sent none of them. */
function firstAttribute(attributes: Record<string, unknown>, names: readonly string[]): string | undefined {
  for (const name of names) {
    if (Object.prototype.hasOwnProperty.call(attributes, name)) return valuesOf(attributes, name)[0] ?? '';
  }
  return undefined;
}

/**
 * The verified assertion as an SsoProfile. `emailVerified` is true: the email comes from the
 * IdP's signed assertion, and the IdP is the authority for its own directory (SAML has no
 * email_verified claim); whether that may link to an existing account is still decided by the
 * provider's linking setting in sign-in.ts.
 */
function profileFrom(profile: Profile, groupsAttribute: string): SsoProfile {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const subject = typeof profile.nameID === 'string' ? profile.nameID.trim() : '';
  let email = firstAttribute(attributes, ATTRIBUTE_NAMES.email) ?? '';
  if (!email && profile.nameIDFormat === NAMEID_EMAIL_FORMAT) email = subject;
  return {
    subject,
    email,
    emailVerified: true,
    firstName: firstAttribute(attributes, ATTRIBUTE_NAMES.firstName) ?? '',
    lastName: firstAttribute(attributes, ATTRIBUTE_NAMES.lastName) ?? '',
    title: firstAttribute(attributes, ATTRIBUTE_NAMES.title),
    telephone: firstAttribute(attributes, ATTRIBUTE_NAMES.telephone),
    groups: groupsAttribute ? valuesOf(attributes, groupsAttribute).filter(Boolean).slice(0, 1000) : [],
  };
}
