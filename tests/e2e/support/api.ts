/**
 * Creates what a test needs through Latchkey's own HTTP API, as a script would (a session cookie
 * plus the CSRF header), never by touching the database.
 */
import type { RunningLatchkey } from './latchkey.js';

export const ADMIN = {
  email: 'ada.admin@example.test',
  firstName: 'Ada',
  lastName: 'Admin',
  password: 'Violet-Harbor-Lantern-47',
};

/** A password the policy accepts for every test account. */
export const GOOD_PASSWORD = 'Quiet-Meadow-Compass-82';

export class ApiClient {
  private cookie = '';
  constructor(private readonly baseUrl: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { 'x-latchkey-csrf': '1', accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async expect<T>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const result = await this.call<T>(method, path, body);
    if (result.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${result.status}: ${JSON.stringify(result.body)}`);
    }
    return result.body;
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.expect(200, 'POST', '/api/v1/session', { email, password });
  }
}

export interface CreatedUser {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  password: string;
}

/** Creates the first Administrator with the printed setup link, and returns a client signed in as them. */
export async function setUpAdministrator(app: RunningLatchkey): Promise<ApiClient> {
  const token = new URL(app.setupLink).hash.replace(/^#token=/, '');
  const client = new ApiClient(app.url);
  await client.expect(201, 'POST', '/api/v1/setup', { token, ...ADMIN, confirmPassword: ADMIN.password });
  await client.signIn(ADMIN.email, ADMIN.password);
  return client;
}

export async function createUser(
  admin: ApiClient,
  user: {
    email: string;
    firstName: string;
    lastName: string;
    securityGroupId: string;
    title?: string;
    telephone?: string;
  },
): Promise<CreatedUser> {
  const created = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/users', {
    ...user,
    userType: 'native',
    password: GOOD_PASSWORD,
    confirmPassword: GOOD_PASSWORD,
    sessionTimeoutMinutes: 60,
  });
  return {
    id: created.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    password: GOOD_PASSWORD,
  };
}
