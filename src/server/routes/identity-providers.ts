/** Administrator's Identity Providers page API (configure_sso) and the public sign-in helpers (provider buttons, email-domain discovery). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app.js';

export const identityProviderRoutes: FastifyPluginAsyncZod<AppDeps> = async (_app, _deps) => {};
