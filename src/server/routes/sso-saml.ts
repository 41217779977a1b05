/** SAML 2.0 sign-in: SP metadata, start (HTTP-Redirect), ACS (HTTP-POST). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app.js';

export const ssoSamlRoutes: FastifyPluginAsyncZod<AppDeps> = async (_app, _deps) => {};
