import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from './config.js';
import { openDatabase, type Db } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { buildApp } from './app.js';
import { purgeExpiredSessions } from './auth/sessions.js';
import { createFirstAdministrator, issueSetupLink, isSetupRequired } from './services/setup.js';
import { seedDemoData } from './services/demo.js';
import { purgeStaleThrottleRows } from './services/login-throttle.js';
import { purgeOldResetLinks } from './services/password-reset-links.js';
import { purgeFinishedEmails } from './mail/outbox.js';
import { scheduleLogRetention } from './services/log-retention.js';

export interface Started {
  app: FastifyInstance;
  db: Db;
  config: Config;
  url: string;
}

/** config → database → migrations → first Administrator → listen, then say where to go next. */
export async function start(
  options: { demo?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<Started> {
  const config = loadConfig(options.env, { demo: options.demo ?? false });
  const db = openDatabase(config.database);
  try {
    return await serve(db, config, options.demo ?? false);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
}

async function serve(db: Db, config: Config, demo: boolean): Promise<Started> {
  await migrateToLatest(db);
  const app = await buildApp({ db, config });
  const say = (line: string) => process.stdout.write(line + '\n');

  if (config.bootstrapAdmin && (await isSetupRequired(db))) {
    const { email, password } = config.bootstrapAdmin;
    await createFirstAdministrator(
      db,
      { email, password, confirmPassword: password, firstName: 'Latchkey', lastName: 'Administrator' },
      'bootstrap',
    );
    say(`Created the first Administrator ${email} from LATCHKEY_BOOTSTRAP_ADMIN_EMAIL.`);
  }
  let demoPassword: string | null = null;
  if (demo) demoPassword = await seedDemoData(db);

  const purge = () =>
    Promise.all([
      purgeExpiredSessions(db),
      purgeStaleThrottleRows(db),
      purgeOldResetLinks(db),
      purgeFinishedEmails(db),
    ]).catch(() => undefined);
  const timer = setInterval(() => void purge(), 10 * 60 * 1000);
  timer.unref();
  const retention = scheduleLogRetention(db, {
    onRun: (run) => {
      if (run && run.auditEventsRemoved + run.loginAttemptsRemoved > 0)
        app.log.info({ retention: run }, 'Log retention');
    },
    onError: (error) => app.log.error({ err: error }, 'Log retention failed; it runs again within the hour'),
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await retention.stop();
    await db.destroy();
  });

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const publicUrl = new URL(config.publicUrl);
  if (!config.publicUrlConfigured) publicUrl.port = String(port);
  const url = publicUrl.origin;

  say('');
  say(
    `Latchkey is running at ${url}  (database: ${config.database.kind === 'sqlite' ? config.database.file : 'PostgreSQL'})`,
  );
  const setupLink = await issueSetupLink(db, new URL(url));
  if (setupLink) {
    say('');
    say('No account exists yet. Open this one-time link to create the first Administrator:');
    say(`  ${setupLink}`);
    say('(The link works once. Restarting Latchkey prints a new one while no account exists.)');
  } else if (demoPassword) {
    say('');
    say(`Demo data is loaded. Sign in at ${url}/login as admin@demo.latchkey.test with the password:`);
    say(`  ${demoPassword}`);
    say('(Every demo account has this password.)');
  } else {
    say(`Sign in at ${url}/login · API reference at ${url}/api/docs`);
  }
  say('');
  return { app, db, config, url };
}
