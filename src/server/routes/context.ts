import type { FastifyRequest } from 'fastify';
import type { Client } from '../services/login-history.js';

export function clientOf(request: FastifyRequest): Client {
  return { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '') };
}
