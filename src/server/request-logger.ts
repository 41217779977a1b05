import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

/**
 * A request's logger (`request.log`, `reply.log`), bound to its request id, made on first use.
 *
 * Fastify makes a pino child for every request; pino serialises the child's bindings as it makes
 * it, about 2 % of an authenticated API call in a CPU profile, yet most requests write no line
 * (the access log writes only failures and slow answers by default). Lines written through this
 * logger are exactly those of the child it stands for.
 */
class LazyRequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | null = null;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  #logger(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.#logger().level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  // Method shorthands, not arrow properties: nothing is allocated per request until a line is written.
  fatal(...args: Parameters<FastifyBaseLogger['fatal']>): void {
    this.#logger().fatal(...args);
  }
  error(...args: Parameters<FastifyBaseLogger['error']>): void {
    this.#logger().error(...args);
  }
  warn(...args: Parameters<FastifyBaseLogger['warn']>): void {
    this.#logger().warn(...args);
  }
  info(...args: Parameters<FastifyBaseLogger['info']>): void {
    this.#logger().info(...args);
  }
  debug(...args: Parameters<FastifyBaseLogger['debug']>): void {
    this.#logger().debug(...args);
  }
  trace(...args: Parameters<FastifyBaseLogger['trace']>): void {
    this.#logger().trace(...args);
  }
  silent(...args: Parameters<FastifyBaseLogger['silent']>): void {
    this.#logger().silent(...args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory` option: request loggers made on first use. */
export const lazyRequestLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => new LazyRequestLogger(logger, bindings, options);
