import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app.js';

export const reportRoutes: FastifyPluginAsyncZod<AppDeps> = async () => {};
