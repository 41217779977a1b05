import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyRequestLoggerFactory } from '../../src/server/request-logger.js';

function loggerWritingTo(lines: Record<string, unknown>[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'info' }, stream);
}

describe('the request logger', () => {
  it('makes no pino child for a request that writes no line', () => {
    const parent = loggerWritingTo([]);
    const child = vi.spyOn(parent, 'child');
    const log = lazyRequestLoggerFactory.call(undefined as never, parent, { reqId: 'r-1' }, {}, undefined as never);
    expect(log).toBeDefined();
    expect(child).not.toHaveBeenCalled();
  });

  it("writes the lines the request's child would, bound to the request id, with the child's level", () => {
    const lines: Record<string, unknown>[] = [];
    const parent = loggerWritingTo(lines);
    const log = lazyRequestLoggerFactory.call(
      undefined as never,
      parent,
      { reqId: 'r-2' },
      { level: 'warn' },
      undefined as never,
    );
    log.info('not written: below the level given to this request');
    log.warn({ status: 503 }, 'database unreachable');
    log.child({ part: 'mail' }).error('nested');
    expect(log.level).toBe('warn');
    expect(lines).toEqual([
      expect.objectContaining({ reqId: 'r-2', status: 503, msg: 'database unreachable', level: 40 }),
      expect.objectContaining({ reqId: 'r-2', part: 'mail', msg: 'nested', level: 50 }),
    ]);
  });
});
