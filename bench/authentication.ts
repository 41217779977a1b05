/** Credentials for the bench and the authentication figures: start-up, /me against bare Fastify, the sign-in storm. */
import { type Figure, type Target, formatNumber } from './lib/figures.js';
import {
  AUTH_CONNECTIONS,
  PASSWORD,
  SERVER_CORE,
  STORM_S,
  STORM_SIGN_INS,
  STORM_TOKEN_CONNECTIONS,
  STORM_TOKEN_RATE_PER_CONNECTION,
} from './lib/options.js';
import {
  type Comparison,
  type Server,
  collect,
  compare,
  pinned,
  rssMegabytes,
  runApart,
  sleep,
} from './lib/processes.js';

export async function signIn(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-latchkey-csrf': '1' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((c) => c.includes('latchkey_session='));
  if (!cookie) throw new Error('sign-in set no session cookie');
  return cookie.split(';')[0]!;
}

/** Generates the Administrator's API token through the API, as the Password & Security tab does. */
export async function generateToken(baseUrl: string, cookie: string): Promise<string> {
  const headers = { cookie, 'x-latchkey-csrf': '1' };
  const me = (await (await fetch(`${baseUrl}/api/v1/me`, { headers })).json()) as { user: { id: string } };
  const response = await fetch(`${baseUrl}/api/v1/users/${me.user.id}/api-token`, { method: 'POST', headers });
  if (response.status !== 201) throw new Error(`token generation failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** The authentication figures: start-up memory, authentication against bare Fastify, the sign-in storm. */
export async function benchAuthentication(
  target: Target,
  server: Server,
  cookie: string,
  bareServer: Server,
  stormEmails: string[],
  add: (figure: Figure) => void,
): Promise<void> {
  const token = await generateToken(server.url, cookie);
  await sleep(2_000);
  add({
    database: target.database,
    name: 'idle RSS after start-up',
    value: rssMegabytes(server.pid),
    unit: 'MB',
    target: { kind: 'at-most', value: 120 },
  });

  const bare = { url: `${bareServer.url}/`, connections: AUTH_CONNECTIONS, server: bareServer };
  const ratioFigure = (name: string, result: Comparison, ratioTarget: number): Figure => ({
    database: target.database,
    name,
    value: result.requestsPerSecond,
    unit: 'req/s',
    baseline: { name: 'bare Fastify', value: result.baselineRequestsPerSecond },
    ratio: result.ratio,
    target: { kind: 'ratio-at-least', value: ratioTarget },
    // The steadiest figure when the machine's speed moves (see Comparison): bare / Latchkey CPU.
    note:
      `CPU ${result.cpuMicrosecondsPerRequest.toFixed(1)} µs/req vs ` +
      `${result.baselineCpuMicrosecondsPerRequest.toFixed(1)} bare ` +
      `(${(result.baselineCpuMicrosecondsPerRequest / result.cpuMicrosecondsPerRequest).toFixed(3)}×)`,
  });
  const health = await compare({ url: `${server.url}/api/health`, connections: AUTH_CONNECTIONS, server }, bare);
  add(ratioFigure(`GET /api/health, ${AUTH_CONNECTIONS} conn.`, health, 0.85));
  for (const via of ['API token', 'session cookie'] as const) {
    const headers: Record<string, string> = via === 'API token' ? { authorization: `Bearer ${token}` } : { cookie };
    const me = await compare({ url: `${server.url}/api/v1/me`, connections: AUTH_CONNECTIONS, headers, server }, bare);
    add(ratioFigure(`GET /api/v1/me by ${via}, ${AUTH_CONNECTIONS} conn.`, me, target.authRatio));
    add({
      database: target.database,
      name: `  p99 of the same`,
      value: me.p99,
      unit: 'ms',
      target: { kind: 'at-most', value: 5 },
    });
  }

  // The storm: 20 people signing in at once (20 seeded accounts) while a script calls by token.
  // The yardstick: argon2id alone on the server's core, with the concurrency the server allows.
  const argon2 = JSON.parse(
    await collect(
      pinned(SERVER_CORE, [process.execPath, '--import', 'tsx', 'bench/argon2-alone.ts', '5', String(STORM_SIGN_INS)]),
    ),
  ) as { verifiesPerSecond: number };
  // Twice: the script at a busy script's pace (judged), and flat out (printed, not judged). Flat
  // out, its connections keep the event loop runnable all the time, and Linux shares the one core
  // equally between the event loop and the argon2 thread, so sign-ins get about half of it
  // whatever the code does: that figure measures the scheduler, not Latchkey's overhead.
  //
  // The people signing in and the script are different clients, so each load runs in a load
  // generator process of its own (both on the load generator's core): in one process, a token
  // call's latency also counted the time that process spent on the twenty sign-in connections.
  const bodies = stormEmails.map((email) => JSON.stringify({ email, password: PASSWORD }));
  for (const paced of [true, false]) {
    const [signIns, tokenCalls] = await runApart([
      {
        url: `${server.url}/api/v1/session`,
        method: 'POST',
        connections: STORM_SIGN_INS,
        duration: STORM_S,
        headers: { 'content-type': 'application/json', 'x-latchkey-csrf': '1' },
        bodies,
      },
      {
        url: `${server.url}/api/v1/me`,
        connections: STORM_TOKEN_CONNECTIONS,
        duration: STORM_S,
        headers: { authorization: `Bearer ${token}` },
        ...(paced ? { connectionRate: STORM_TOKEN_RATE_PER_CONNECTION } : {}),
      },
    ]);
    const script = paced
      ? `script at ${STORM_TOKEN_CONNECTIONS} × ${STORM_TOKEN_RATE_PER_CONNECTION} req/s`
      : 'script flat out, not judged';
    add({
      database: target.database,
      name: `storm: sign-ins/s (${STORM_SIGN_INS} at once, ${STORM_S} s, ${script})`,
      value: signIns!.requestsPerSecond,
      unit: '/s',
      baseline: { name: 'argon2id alone, same core', value: argon2.verifiesPerSecond },
      ...(paced
        ? { target: { kind: 'ratio-at-least', value: 0.9 } }
        : { ratio: signIns!.requestsPerSecond / argon2.verifiesPerSecond }),
    });
    add({
      database: target.database,
      name: `storm: token GET /api/v1/me p99 (${STORM_TOKEN_CONNECTIONS} conn., ${script})`,
      value: tokenCalls!.p99,
      unit: 'ms',
      ...(paced ? { target: { kind: 'at-most', value: 20 } } : {}),
      note: `${formatNumber(tokenCalls!.requestsPerSecond)} req/s`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
