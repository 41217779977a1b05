import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Smaller answers gain less than the headers and the CPU cost: one TCP packet either way. */
export const COMPRESS_MIN_BYTES = 1024;

/**
 * The brotli level for answers made per request: 4 compresses a JSON page of users to about what
 * gzip -6 does, in a fraction of brotli 11's time (the static files are compressed at build time,
 * at the highest level: scripts/compress-web.mjs).
 */
const BROTLI_QUALITY = 4;
const GZIP_LEVEL = 6;

/**
 * Up to this size an answer is compressed on the event loop (a page of 50 accounts, ~20 KB:
 * ~0.15 ms); larger ones on the thread pool, so a big page cannot stall other requests.
 */
const COMPRESS_SYNC_MAX_BYTES = 64 * 1024;

/** `br` if the client accepts it, else `gzip`, else null (q=0 refuses an encoding). */
export function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  if (!acceptEncoding) return null;
  const accepted = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((value) => value !== undefined);
    if (name && (q === undefined || Number(q) > 0)) accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

function appendVary(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  const current = Array.isArray(vary) ? vary.join(', ') : vary === undefined ? '' : String(vary);
  if (current === '*' || /(^|,)\s*accept-encoding\s*(,|$)/i.test(current)) return;
  reply.header('vary', current ? `${current}, Accept-Encoding` : 'Accept-Encoding');
}

/**
 * Compresses JSON answers of COMPRESS_MIN_BYTES or more (brotli, else gzip) for a client that
 * accepts it. Only answers whose whole body is already in memory (a string or a Buffer, as
 * Fastify's serializer gives them): streamed answers (the CSV exports, task attachments) and files
 * (the web UI, precompressed at build time) are left as they are, so streaming keeps its
 * backpressure and a download starts at once. Headers set by routes and hooks are kept.
 */
export function registerCompression(app: FastifyInstance): void {
  // Callback style, not async: this runs on every answer, and most (small, or to a client that
  // accepts no encoding) are sent as they are, without a promise and a microtask each.
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload);
    if (request.method === 'HEAD' || reply.statusCode === 204 || reply.statusCode === 304) return done(null, payload);
    if (reply.hasHeader('content-encoding')) return done(null, payload);
    const type = String(reply.getHeader('content-type') ?? '');
    if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) return done(null, payload);
    // Measured without copying: most answers go out uncompressed.
    const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    // Whether it is compressed or not, a cache must keep one copy per Accept-Encoding.
    if (length < COMPRESS_MIN_BYTES) return done(null, payload);
    appendVary(reply);
    const encoding = chooseEncoding(request.headers['accept-encoding']);
    if (!encoding) return done(null, payload);
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const brotliOptions = {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    };
    const send = (bytes: Buffer) => {
      reply.header('content-encoding', encoding);
      reply.removeHeader('content-length');
      done(null, bytes);
    };
    if (body.length <= COMPRESS_SYNC_MAX_BYTES)
      return send(encoding === 'br' ? brotliCompressSync(body, brotliOptions) : gzipSync(body, { level: GZIP_LEVEL }));
    const compressed = encoding === 'br' ? brotli(body, brotliOptions) : gzipAsync(body, { level: GZIP_LEVEL });
    compressed.then(send, (error: Error) => done(error));
  });
}
