import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The security headers of every page, asset and the API reference (Content-Security-Policy, HSTS over HTTPS,
 * X-Content-Type-Options, frame and referrer rules, …), as helmet computes them from our policy.
 *
 * They depend only on the configuration, so helmet runs once, at start-up, against a stand-in
 * response, and every request then copies the finished headers. (Running helmet per request, as
 * @fastify/helmet does, re-parsed the CSP directives on every call: 8 % of a health check's CPU.)
 * A route that needs a different policy sets its own header (task attachments, the API reference).
 */
export function securityHeadersFor(publicUrl: URL): Readonly<Record<string, string>> {
  const https = publicUrl.protocol === 'https:';
  const headers: Record<string, string> = {};
  const standIn = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Mantine sets style attributes on elements; no inline scripts are ever allowed.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    strictTransportSecurity: https,
  })({} as IncomingMessage, standIn as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return Object.freeze(headers);
}

/**
 * The security headers of a JSON answer (everything under /api/ but the API reference pages), as
 * OWASP's REST Security Cheat Sheet lists them: a JSON body is never rendered as a page, so the
 * page policy's source lists, cross-origin opener rules and legacy browser switches say nothing
 * for it. What is left makes sure it never becomes one: not sniffed into HTML, not framed, no
 * referrer, not embeddable by other sites. A third of the bytes of a small answer were headers
 * that only matter for HTML.
 */
export function apiSecurityHeadersFor(publicUrl: URL): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
  };
  const pageHeaders = securityHeadersFor(publicUrl);
  const hsts = pageHeaders['strict-transport-security'];
  if (hsts) headers['strict-transport-security'] = hsts;
  return Object.freeze(headers);
}

/** Which of the two sets a path gets: the API reference (/api/docs) is a page; SCIM (/scim/) is an API. */
export function isJsonApiPath(url: string): boolean {
  return (url.startsWith('/api/') && !url.startsWith('/api/docs')) || url.startsWith('/scim/');
}
