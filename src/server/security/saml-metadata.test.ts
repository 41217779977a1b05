import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCertificate } from './certificates.js';
import { readSamlIdpMetadata, SamlMetadataError } from './saml-metadata.js';

const IDP_CERT = readFileSync(new URL('../../../tests/fixtures/saml/idp-cert.pem', import.meta.url), 'utf8');
const OTHER_CERT = readFileSync(new URL('../../../tests/fixtures/saml/other-cert.pem', import.meta.url), 'utf8');
const bare = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** An IdP EntityDescriptor as Okta/Entra/Keycloak export it (prefixes vary; namespaces do not). */
function metadata({
  services = `<md:SingleSignOnService Binding="${POST}" Location="https://idp.example/sso/post"/>
      <md:SingleSignOnService Binding="${REDIRECT}" Location="https://idp.example/sso/redirect"/>`,
  keys = `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${bare(OTHER_CERT)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
      <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
        ${bare(IDP_CERT)}
      </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
  logout = `<md:SingleLogoutService Binding="${REDIRECT}" Location="https://idp.example/slo"/>`,
}: { services?: string; keys?: string; logout?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/entity">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      ${keys}
      ${logout}
      <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
      ${services}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}

const refusal = async (xml: string) => {
  try {
    await readSamlIdpMetadata(xml);
  } catch (error) {
    if (error instanceof SamlMetadataError) return error.message;
    throw error;
  }
  throw new Error('expected the metadata to be refused');
};

describe('readSamlIdpMetadata', () => {
  it('takes the entity ID, the Redirect-binding SSO URL, the logout URL and the signing (not encryption) certificate', async () => {
    expect(await readSamlIdpMetadata(metadata())).toEqual({
      entityId: 'https://idp.example/entity',
      ssoUrl: 'https://idp.example/sso/redirect',
      logoutUrl: 'https://idp.example/slo',
      certificate: readCertificate(IDP_CERT).pem,
      certificateExpiresAt: '2126-11-03T23:24:56.000Z',
    });
  });

  it('falls back to the HTTP-POST binding, and to a KeyDescriptor without use', async () => {
    const parsed = await readSamlIdpMetadata(
      metadata({
        services: `<md:SingleSignOnService Binding="${POST}" Location="https://idp.example/sso/post"/>`,
        keys: `<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${bare(OTHER_CERT)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
        logout: '',
      }),
    );
    expect(parsed.ssoUrl).toBe('https://idp.example/sso/post');
    expect(parsed.logoutUrl).toBe('');
    expect(parsed.certificate).toBe(readCertificate(OTHER_CERT).pem);
  });

  it('finds elements by namespace whatever the prefix (default namespace here)', async () => {
    const xml = metadata().replace(/md:/g, '').replace('xmlns:md=', 'xmlns=').replace(/ds:/g, 'sig:');
    expect((await readSamlIdpMetadata(xml)).entityId).toBe('https://idp.example/entity');
  });

  it('reads an EntitiesDescriptor holding one identity provider', async () => {
    const inner = metadata().replace(/<\?xml[^>]*\?>/, '');
    const xml = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${inner}</md:EntitiesDescriptor>`;
    expect((await readSamlIdpMetadata(xml)).ssoUrl).toBe('https://idp.example/sso/redirect');
  });

  it('leaves the certificate empty when the metadata has no signing key', async () => {
    const parsed = await readSamlIdpMetadata(metadata({ keys: '' }));
    expect(parsed.certificate).toBe('');
    expect(parsed.certificateExpiresAt).toBeNull();
  });

  it('refuses a DOCTYPE outright (no entities, internal or external)', async () => {
    const xxe = metadata().replace(
      '<md:EntityDescriptor',
      '<!DOCTYPE md:EntityDescriptor [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<md:EntityDescriptor',
    );
    expect(await refusal(xxe)).toMatch(/DOCTYPE/);
    expect(await refusal('<!doctype x><x/>')).toMatch(/DOCTYPE/);
  });

  it('refuses garbage, unclosed tags and XML that is not IdP metadata, each with a clear message', async () => {
    expect(await refusal('this is not xml at all <<<')).toMatch(/not well-formed XML/);
    expect(await refusal(metadata().replace('</md:IDPSSODescriptor>', ''))).toMatch(/not well-formed XML/);
    expect(await refusal('<html><body>Sign in</body></html>')).toMatch(/no md:EntityDescriptor/);
    expect(await refusal(metadata().replace(/IDPSSODescriptor/g, 'SPSSODescriptor'))).toMatch(
      /no SAML 2.0 identity provider/,
    );
    expect(await refusal(metadata({ services: '' }))).toMatch(/no SingleSignOnService/);
    expect(await refusal(metadata().replace('entityID="https://idp.example/entity"', ''))).toMatch(/no entityID/);
    expect(
      await refusal(
        metadata({ keys: '<md:KeyDescriptor><ds:X509Certificate>QUJD</ds:X509Certificate></md:KeyDescriptor>' }),
      ),
    ).toMatch(/signing certificate in the metadata could not be read/);
  });
});
