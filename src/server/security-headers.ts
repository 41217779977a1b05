import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The security headers every answer carries (Content-Security-Policy, HSTS over HTTPS,
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
