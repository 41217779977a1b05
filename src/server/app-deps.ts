import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from './config.js';
import type { Db } from './db/connection.js';

export interface AppDeps {
  db: Db;
  config: Config;
  sessionCookie: { name: string; options: CookieSerializeOptions };
  /** The built web UI (index.html and assets/). Default: dist/web, found next to the server; null serves no UI. */
  webRoot?: string | null;
}
