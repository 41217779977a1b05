/**
 * The SCIM 2.0 service provider (RFC 7644) at /scim/v2, for identity providers' directories (Okta,
 * Entra ID). Authenticated by the provider's SCIM token only (sso/scim-tokens.ts): sessions and API
 * tokens are not looked at here, and the SCIM token is not accepted by /api/v1. Not in the OpenAPI
 * document (SCIM is its own protocol, described by /scim/v2/Schemas); see README "SCIM provisioning".
 *
 * JSON in as application/scim+json or application/json, out as application/scim+json; every error
 * in SCIM's error schema (sso/scim-errors.ts).
 */
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { AppError } from '../app-error.js';
import { isDatabaseUnreachable } from '../db/connection.js';
import type { IdentityProviderRow } from '../sso/provider-settings.js';
import { ScimError, scimErrorBody, type ScimType } from '../sso/scim-errors.js';
import { listOf, scimResourceTypes, scimSchemas, serviceProviderConfig } from '../sso/scim-schema.js';
import { providerForScimToken, ScimRateLimiter } from '../sso/scim-tokens.js';
import {
  createScimUser,
  deleteScimUser,
  getScimUser,
  listScimUsers,
  patchScimUser,
  projectAttributes,
  replaceScimUser,
  type ScimContext,
  type ScimUserResource,
} from '../sso/scim-users.js';
import {
  createScimGroup,
  deleteScimGroup,
  getScimGroup,
  listScimGroups,
  patchScimGroup,
  replaceScimGroup,
  type ScimGroupResource,
} from '../sso/scim-groups.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The identity provider whose SCIM token authenticated this /scim/v2 request. */
    scimProvider: IdentityProviderRow | null;
  }
}

export const SCIM_PREFIX = '/scim/v2';
const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Where Okta and Entra ID are pointed: the "SCIM connector base URL" / "Tenant URL". */
export function scimBaseUrl(publicUrl: URL): string {
  return publicUrl.origin + publicUrl.pathname.replace(/\/$/, '') + SCIM_PREFIX;
}

function sendScim(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

function sendError(reply: FastifyReply, status: number, scimType: ScimType | null, detail: string): FastifyReply {
  return sendScim(reply, status, scimErrorBody(status, scimType, detail));
}

type Query = Record<string, string | undefined>;
type IdParams = { id: string };

function bearer(request: FastifyRequest): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? null;
}

export const scimRoutes: FastifyPluginAsync<AppDeps> = async (app, { db, config }) => {
  const baseUrl = scimBaseUrl(config.publicUrl);
  const limiter = new ScimRateLimiter(config.scimRequestsPerMinute);
  const contextOf = (request: FastifyRequest): ScimContext => ({
    provider: request.scimProvider!,
    ip: request.ip,
    baseUrl,
  });

  app.decorateRequest('scimProvider', null);
  // application/scim+json is JSON (application/json is parsed by Fastify already).
  app.addContentTypeParser('application/scim+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  // Before the body is read: the provider's token, within its rate.
  app.addHook('onRequest', async (request, reply) => {
    const token = bearer(request);
    if (!token) {
      reply.header('www-authenticate', 'Bearer realm="Latchkey SCIM"');
      throw new ScimError(401, null, "Send the identity provider's SCIM token: Authorization: Bearer <token>.");
    }
    const provider = await providerForScimToken(db, token, request.ip);
    // A valid token is limited per provider; tokens that are not valid, per client address.
    const retryAfter = limiter.take(provider ? `provider:${provider.id}` : `address:${request.ip}`);
    if (retryAfter !== null) {
      reply.header('retry-after', String(retryAfter));
      throw new ScimError(429, null, 'Too many SCIM requests with this token; try again shortly.');
    }
    if (!provider) {
      reply.header('www-authenticate', 'Bearer realm="Latchkey SCIM", error="invalid_token"');
      throw new ScimError(401, null, 'This SCIM token is not valid (it may have been revoked or regenerated).');
    }
    if (provider.enabled !== 1) throw new ScimError(403, null, 'This identity provider is disabled in Latchkey.');
    request.scimProvider = provider;
  });

  // A query parameter given twice (?filter=a&filter=b) is refused, not guessed at.
  app.addHook('preHandler', async (request) => {
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      if (typeof value !== 'string') throw new ScimError(400, 'invalidValue', `"${name}" may be given only once.`);
    }
  });

  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ScimError) return sendError(reply, error.status, error.scimType, error.message);
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return sendError(reply, error.status, error.status === 400 ? 'invalidSyntax' : null, error.message);
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own: malformed JSON, an unsupported media type, a body too large.
      return sendError(reply, error.statusCode, error.statusCode === 400 ? 'invalidSyntax' : null, error.message);
    }
    if (isDatabaseUnreachable(error)) {
      request.log.warn({ err: error }, 'database unreachable');
      reply.header('retry-after', '5');
      return sendError(reply, 503, null, 'The database is unreachable; try again shortly.');
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 500, null, 'Something went wrong on our side.');
  });

  app.setNotFoundHandler((_request, reply) => sendError(reply, 404, null, 'No such SCIM endpoint.'));

  const sendResource = (
    reply: FastifyReply,
    status: number,
    resource: ScimUserResource | ScimGroupResource,
    query: Query,
  ) => {
    reply.header('etag', resource.meta.version);
    return sendScim(reply, status, projectAttributes(resource, query.attributes, query.excludedAttributes));
  };
  const ifMatchOf = (request: FastifyRequest) => request.headers['if-match'];
  const hide = { schema: { hide: true } };

  app.get('/ServiceProviderConfig', hide, async (_request, reply) =>
    sendScim(reply, 200, serviceProviderConfig(baseUrl)),
  );
  app.get('/Schemas', hide, async (_request, reply) => sendScim(reply, 200, listOf(scimSchemas(baseUrl))));
  app.get<{ Params: IdParams }>('/Schemas/:id', hide, async (request, reply) => {
    const schema = scimSchemas(baseUrl).find((item) => item.id.toLowerCase() === request.params.id.toLowerCase());
    if (!schema) return sendError(reply, 404, null, 'No such schema.');
    return sendScim(reply, 200, schema);
  });
  app.get('/ResourceTypes', hide, async (_request, reply) => sendScim(reply, 200, listOf(scimResourceTypes(baseUrl))));
  app.get<{ Params: IdParams }>('/ResourceTypes/:id', hide, async (request, reply) => {
    const type = scimResourceTypes(baseUrl).find((item) => item.id.toLowerCase() === request.params.id.toLowerCase());
    if (!type) return sendError(reply, 404, null, 'No such resource type.');
    return sendScim(reply, 200, type);
  });

  app.get<{ Querystring: Query }>('/Users', hide, async (request, reply) => {
    const list = await listScimUsers(db, contextOf(request), request.query);
    const { attributes, excludedAttributes } = request.query;
    return sendScim(reply, 200, {
      ...list,
      Resources: list.Resources.map((resource) => projectAttributes(resource, attributes, excludedAttributes)),
    });
  });

  app.post<{ Querystring: Query }>('/Users', hide, async (request, reply) => {
    const resource = await createScimUser(db, contextOf(request), request.body);
    reply.header('location', resource.meta.location);
    return sendResource(reply, 201, resource, request.query);
  });

  app.get<{ Params: IdParams; Querystring: Query }>('/Users/:id', hide, async (request, reply) => {
    const resource = await getScimUser(db, contextOf(request), request.params.id);
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === resource.meta.version)) {
      reply.header('etag', resource.meta.version);
      return reply.code(304).send();
    }
    return sendResource(reply, 200, resource, request.query);
  });

  app.put<{ Params: IdParams; Querystring: Query }>('/Users/:id', hide, async (request, reply) => {
    const resource = await replaceScimUser(db, contextOf(request), request.params.id, request.body, ifMatchOf(request));
    return sendResource(reply, 200, resource, request.query);
  });

  app.patch<{ Params: IdParams; Querystring: Query }>('/Users/:id', hide, async (request, reply) => {
    const resource = await patchScimUser(db, contextOf(request), request.params.id, request.body, ifMatchOf(request));
    return sendResource(reply, 200, resource, request.query);
  });

  app.delete<{ Params: IdParams }>('/Users/:id', hide, async (request, reply) => {
    await deleteScimUser(db, contextOf(request), request.params.id, ifMatchOf(request));
    return reply.code(204).send();
  });

  app.get<{ Querystring: Query }>('/Groups', hide, async (request, reply) => {
    const list = await listScimGroups(db, contextOf(request), request.query);
    const { attributes, excludedAttributes } = request.query;
    return sendScim(reply, 200, {
      ...list,
      Resources: list.Resources.map((resource) => projectAttributes(resource, attributes, excludedAttributes)),
    });
  });

  app.post<{ Querystring: Query }>('/Groups', hide, async (request, reply) => {
    const resource = await createScimGroup(db, contextOf(request), request.body);
    reply.header('location', resource.meta.location);
    return sendResource(reply, 201, resource, request.query);
  });

  app.get<{ Params: IdParams; Querystring: Query }>('/Groups/:id', hide, async (request, reply) =>
    sendResource(reply, 200, await getScimGroup(db, contextOf(request), request.params.id), request.query),
  );

  app.put<{ Params: IdParams; Querystring: Query }>('/Groups/:id', hide, async (request, reply) => {
    const resource = await replaceScimGroup(
      db,
      contextOf(request),
      request.params.id,
      request.body,
      ifMatchOf(request),
    );
    return sendResource(reply, 200, resource, request.query);
  });

  app.patch<{ Params: IdParams; Querystring: Query }>('/Groups/:id', hide, async (request, reply) => {
    const resource = await patchScimGroup(db, contextOf(request), request.params.id, request.body, ifMatchOf(request));
    return sendResource(reply, 200, resource, request.query);
  });

  app.delete<{ Params: IdParams }>('/Groups/:id', hide, async (request, reply) => {
    await deleteScimGroup(db, contextOf(request), request.params.id, ifMatchOf(request));
    return reply.code(204).send();
  });
};
