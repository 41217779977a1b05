/**
 * Reads a SAML 2.0 identity provider's metadata (an EntityDescriptor) for the Identity Providers
 * form: its Entity ID, sign-in and sign-out URLs and signing certificate. Nothing here is trusted
 * for signing in: the administrator reviews the values and saves them like typed-in ones.
 *
 * The file comes from outside, so the parser is kept on a short leash: a DOCTYPE is refused before
 * parsing (no entity definitions at all, hence no external entities and no entity expansion
 * bombs), every parser warning or error refuses the file, and elements are found by namespace,
 * never by prefix.
 */
import { CertificateError, readCertificate } from './certificates.js';
import { once } from '../once.js';

/** xmldom's nodes, typed with the DOM library's interfaces (its index.d.ts references lib dom). */
type XmlElement = Element;

/**
 * @xmldom/xmldom, for this file and sso/saml.ts: loaded on first use (SAML only), not at start-up,
 * which it slowed by ~20 ms (measured).
 */
export const loadXmldom = once(() => import('@xmldom/xmldom'));

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export interface SamlIdpMetadata {
  entityId: string;
  /** The SingleSignOnService for HTTP-Redirect, else for HTTP-POST. */
  ssoUrl: string;
  /** The SingleLogoutService (HTTP-Redirect, else HTTP-POST), or ''. */
  logoutUrl: string;
  /** The signing certificate as PEM, or '' when the metadata has none. */
  certificate: string;
  certificateExpiresAt: string | null;
}

/** Why a metadata file was refused, in words for the administrator. */
export class SamlMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SamlMetadataError';
  }
}

/** xmldom's messages carry a "[xmldom error]\t" prefix and a "@#[line:…]" suffix; keep the words. */
function cleanParserMessage(message: string): string {
  return message
    .replace(/^\[xmldom [a-z]+\]\s*/i, '')
    .replace(/\s*@#\[.*$/s, '')
    .trim();
}

async function parseXml(xml: string) {
  // Refused before parsing: a DOCTYPE is how entities (external files, expansion bombs) get in.
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml))
    throw new SamlMetadataError(
      'The metadata contains a DOCTYPE declaration, which Latchkey refuses for safety. Export the metadata without one.',
    );
  const { DOMParser } = await loadXmldom();
  const problems: string[] = [];
  const record = (message: string) => problems.push(cleanParserMessage(message));
  const document = new DOMParser({
    errorHandler: { warning: record, error: record, fatalError: record },
  }).parseFromString(xml, 'application/xml');
  if (problems.length > 0 || !document?.documentElement)
    throw new SamlMetadataError(`This is not well-formed XML: ${problems[0] ?? 'no root element'}.`);
  if (document.doctype) throw new SamlMetadataError('The metadata contains a DOCTYPE declaration.');
  return document;
}

/** Direct children of `parent` named {namespace}localName, in document order. */
function childrenNamed(parent: XmlElement, namespace: string, localName: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) {
      const element = node as XmlElement;
      if (element.namespaceURI === namespace && element.localName === localName) found.push(element);
    }
  }
  return found;
}

/** The Location of the first service with the Redirect binding, else the first with the POST binding, else ''. */
function serviceLocation(descriptor: XmlElement, localName: string): string {
  const services = childrenNamed(descriptor, MD, localName);
  for (const binding of [BINDING_REDIRECT, BINDING_POST]) {
    const service = services.find((s) => s.getAttribute('Binding') === binding);
    const location = service?.getAttribute('Location')?.trim();
    if (location) return location;
  }
  return '';
}

/** The text of the first signing certificate (KeyDescriptor use="signing", or with no use) or ''. */
function signingCertificateText(descriptor: XmlElement): string {
  for (const keyDescriptor of childrenNamed(descriptor, MD, 'KeyDescriptor')) {
    const use = keyDescriptor.getAttribute('use');
    if (use && use !== 'signing') continue;
    const certificate = keyDescriptor.getElementsByTagNameNS(DS, 'X509Certificate')[0];
    const text = certificate?.textContent?.trim();
    if (text) return text;
  }
  return '';
}

/**
 * The one EntityDescriptor with an IDPSSODescriptor for SAML 2.0: the root itself, or one inside
 * an EntitiesDescriptor (federation files list many; then the administrator must pick one).
 */
function identityProviderDescriptor(root: XmlElement): { entity: XmlElement; idp: XmlElement } {
  const entities =
    root.namespaceURI === MD && root.localName === 'EntityDescriptor'
      ? [root]
      : Array.from(root.getElementsByTagNameNS(MD, 'EntityDescriptor'));
  if (entities.length === 0)
    throw new SamlMetadataError('This is not SAML metadata: there is no md:EntityDescriptor element.');
  const candidates = entities.flatMap((entity) =>
    childrenNamed(entity, MD, 'IDPSSODescriptor')
      .filter((idp) => (idp.getAttribute('protocolSupportEnumeration') ?? PROTOCOL).includes(PROTOCOL))
      .map((idp) => ({ entity, idp })),
  );
  if (candidates.length === 0)
    throw new SamlMetadataError(
      'This metadata describes no SAML 2.0 identity provider (no IDPSSODescriptor). Is it the service provider’s metadata?',
    );
  if (candidates.length > 1)
    throw new SamlMetadataError(
      `This file describes ${candidates.length} identity providers. Paste the metadata of the one to connect.`,
    );
  return candidates[0]!;
}

/** Reads an IdP's metadata XML; throws SamlMetadataError with a message for a person when it cannot. */
export async function readSamlIdpMetadata(xml: string): Promise<SamlIdpMetadata> {
  const document = await parseXml(xml);
  const { entity, idp } = identityProviderDescriptor(document.documentElement);
  const entityId = entity.getAttribute('entityID')?.trim() ?? '';
  if (!entityId) throw new SamlMetadataError('The EntityDescriptor has no entityID.');
  const ssoUrl = serviceLocation(idp, 'SingleSignOnService');
  if (!ssoUrl)
    throw new SamlMetadataError(
      'The identity provider has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding.',
    );
  const certificateText = signingCertificateText(idp);
  let certificate = '';
  let certificateExpiresAt: string | null = null;
  if (certificateText) {
    try {
      ({ pem: certificate, expiresAt: certificateExpiresAt } = readCertificate(certificateText));
    } catch (error) {
      if (!(error instanceof CertificateError)) throw error;
      throw new SamlMetadataError(`The signing certificate in the metadata could not be read: ${error.message}`);
    }
  }
  return {
    entityId,
    ssoUrl,
    logoutUrl: serviceLocation(idp, 'SingleLogoutService'),
    certificate,
    certificateExpiresAt,
  };
}
