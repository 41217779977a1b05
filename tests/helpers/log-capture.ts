import type { FastifyInstance } from 'fastify';

/**
 * Captures what the app's pino logger writes (its own destination stream, found on the logger),
 * so a test can read the log lines a real run would print. Returns the lines as they come.
 */
export function captureLog(app: FastifyInstance): string[] {
  const lines: string[] = [];
  let holder: object | null = app.log;
  while (holder) {
    const symbol = Object.getOwnPropertySymbols(holder).find((s) => s.description === 'pino.stream');
    if (symbol) {
      const stream = (holder as Record<symbol, { write(chunk: string): boolean }>)[symbol]!;
      stream.write = (chunk: string) => {
        lines.push(String(chunk));
        return true;
      };
      return lines;
    }
    holder = Object.getPrototypeOf(holder) as object | null;
  }
  throw new Error('the pino stream was not found');
}
