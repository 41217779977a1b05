/** What the protocol layer extracted from a verified ID token / assertion. */
export interface SsoProfile {
  /** OIDC `sub` or SAML NameID. */
  subject: string;
  email: string;
  /** OIDC `email_verified === true`; SAML: the IdP's assertion is taken as verified. */
  emailVerified: boolean;
  firstName: string;
  lastName: string;
  title?: string;
  telephone?: string;
  /** Group names as the provider sent them. */
  groups: string[];
}
