/**
 * The end of every single sign-on, OIDC or SAML: a verified profile becomes a session cookie and a
 * redirect into the app, or a refusal becomes a redirect to the sign-in page with a generic
 * message code (`/login?sso_error=<code>`, SSO_ERROR_MESSAGES). The detailed reason goes to the
 * login history and audit log only.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { endSession } from '../auth/sessions.js';
import { hashSecret } from '../security/secrets.js';
import type { SsoErrorCode } from '../../shared/schemas/identity-providers.js';
import type { IdentityProviderRow } from '../sso/provider-settings.js';
import { SSO_BINDING_COOKIE, safeReturnTo } from '../sso/flows.js';
import { recordSsoFailure, signInWithSso, SsoSignInError, type SsoProfile } from '../sso/sign-in.js';
import { clientOf } from './context.js';

/** The flow cookie: HttpOnly, only sent to the SSO routes, gone after 10 minutes. */
export function ssoBindingCookieOptions(deps: AppDeps, sameSite: 'lax' | 'none' = 'lax') {
  const https = deps.config.publicUrl.protocol === 'https:';
  return {
    path: '/api/v1/sso',
    httpOnly: true,
    secure: https,
    // SAML answers arrive as a cross-site POST, which carries only SameSite=None cookies (and
    // browsers accept those only when Secure, i.e. over HTTPS).
    sameSite: sameSite === 'none' && https ? ('none' as const) : ('lax' as const),
    maxAge: 10 * 60,
  };
}

export function ssoBindingOf(request: FastifyRequest): string | undefined {
  return request.cookies[SSO_BINDING_COOKIE];
}

export function loginErrorUrl(code: SsoErrorCode): string {
  return `/login?sso_error=${code}`;
}

/** Signs the verified person in and sends the browser on; refusals go back to the sign-in page. */
export async function finishSsoSignIn(
  deps: AppDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  provider: IdentityProviderRow,
  profile: SsoProfile,
  returnTo: string,
): Promise<FastifyReply> {
  try {
    const signedIn = await signInWithSso(deps.db, provider, profile, clientOf(request));
    // Rotation: whatever session this browser had before ends now.
    const previous = request.cookies[deps.sessionCookie.name];
    if (previous) await endSession(deps.db, hashSecret(previous));
    reply.setCookie(deps.sessionCookie.name, signedIn.session.id, deps.sessionCookie.options);
    reply.clearCookie(SSO_BINDING_COOKIE, { path: '/api/v1/sso' });
    return reply.redirect(safeReturnTo(returnTo), 303);
  } catch (error) {
    if (error instanceof SsoSignInError) return reply.redirect(loginErrorUrl(error.code), 303);
    throw error;
  }
}

/**
 * A refusal before any profile exists (bad state, bad signature, expired assertion…): logged with
 * its reason, and the person sees only the generic message for `code`.
 */
export async function refuseSsoSignIn(
  deps: AppDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  refusal: { provider: IdentityProviderRow | null; code: SsoErrorCode; reason: string; email?: string },
): Promise<FastifyReply> {
  request.log.warn({ provider: refusal.provider?.id ?? null, reason: refusal.reason }, 'single sign-on refused');
  await recordSsoFailure(deps.db, refusal.provider, refusal.email ?? '', refusal.reason, clientOf(request));
  reply.clearCookie(SSO_BINDING_COOKIE, { path: '/api/v1/sso' });
  return reply.redirect(loginErrorUrl(refusal.code), 303);
}
