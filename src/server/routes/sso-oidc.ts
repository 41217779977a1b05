/** OpenID Connect sign-in: start, callback, provider sign-out. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app.js';

export const ssoOidcRoutes: FastifyPluginAsyncZod<AppDeps> = async (_app, _deps) => {};
