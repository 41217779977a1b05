import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from './config.js';
import type { Db } from './db/connection.js';
import type { Outbox } from './mail/outbox.js';

export interface AppDeps {
  db: Db;
  config: Config;
  sessionCookie: { name: string; options: CookieSerializeOptions };
  /** Where emails are queued (mail/outbox.ts enqueueEmail); built with the app. */
  outbox: Outbox;
  /** The built web UI (index.html and assets/). Default: dist/web, found next to the server; null serves no UI. */
  webRoot?: string | null;
}
