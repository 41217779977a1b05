/**
 * The OpenAPI fuzz suite: every operation the live
 * `/api/openapi.json` lists gets RUNS generated requests (default 200) as an Administrator, each
 * by session (cookie + the UI's CSRF header) or by API token, about half each. Most are hostile (wrong types;
 * huge and odd strings: unicode, RTL, emoji, lone surrogates, control characters, 100 KB; numbers
 * out of range; broken JSON; wrong content types; broken multipart; bad paging and sort values;
 * prototype keys; path parameters that are not IDs or are IDs of other things), the rest are
 * valid requests built from the schemas with one field mutated (or none), so that validation
 * passes and the handlers run. It fails on any 5xx, and on any refused (4xx) request to a
 * mutating operation that changed the data (see ALLOWED_ON_REFUSAL for the attempt logs).
 *
 * Operations come from the document, so routes added later are fuzzed without editing this file.
 * Operations treated specially, and why:
 * - any request that ends the fuzzer's own session or token (DELETE /api/v1/session, a password
 *   change, its own token regenerated or removed, its account disabled or moved to another group):
 *   after such a success, or any 401/403, the fuzzer restores its account and signs in again
 *   (straight through the session code, as a password could have changed), then goes on;
 * - POST /api/v1/session, /session/mfa, /me/password, DELETE /me/mfa/factors/{id}: wrong secrets
 *   are recorded in login_history/login_throttle, and the one that locks an account is audited,
 *   by design (ALLOWED_ON_REFUSAL, AUDITED_ON_REFUSAL).
 * Nothing is skipped.
 *
 * Reproducing: every run logs its seed; `LATCHKEY_FUZZ_SEED=<seed>` replays the same cases
 * (fast-check generates them from the seed and the operation), and a failure prints the request.
 * More runs: `LATCHKEY_FUZZ_RUNS=2000 npx vitest run tests/api/fuzz-openapi.test.ts`.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/security/secrets.js';
import { ALL_PERMISSIONS, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { changeMarker, fingerprint, fingerprintDifferences, type Fingerprint } from '../helpers/fingerprint.js';
import { createCustomGroup, giveApiToken, quickSession, quickUser } from '../helpers/fixtures.js';
import { insertOidcProvider, insertSamlProvider } from '../helpers/identity-provider-fixtures.js';
import { giveTotpFactor } from '../helpers/mfa-fixtures.js';
import { quickRecord, quickRecordType } from '../helpers/records-fixtures.js';
import { TEST_IDP_CERT } from '../helpers/saml-idp.js';
import { makeAttachment, makeTask, MULTIPART_BOUNDARY } from '../helpers/tasks-fixtures.js';
import { createTestApp, TEST_PASSWORD, tokenCaller, type Caller, type TestApp } from '../helpers/test-app.js';

const RUNS = Number(process.env.LATCHKEY_FUZZ_RUNS ?? 200);
const SEED = Number(process.env.LATCHKEY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

/**
 * Tables a refused request may change, by design: every sign-in attempt (and every wrong secret)
 * is logged and counted, refused or not.
 */
const ALLOWED_ON_REFUSAL = new Set(['login_history', 'login_throttle']);

/**
 * Audit entries a refused request may write, by design: the failure that locks an account is
 * refused and audited (`account.locked`). Every other entry counts.
 */
const AUDITED_ON_REFUSAL = ['account.locked'];

// ---------------------------------------------------------------------------------------------
// The document

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  nullable?: boolean;
};

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  method: string;
  /** OpenAPI path, e.g. /api/v1/users/{id}. */
  path: string;
  parameters: Parameter[];
  /** The JSON body schema, if the operation declares one. */
  body: JsonSchema | null;
  multipart: boolean;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function operationsOf(document: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = (operation.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)
        ?.content;
      const consumes = (operation.consumes as string[] | undefined) ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters as Parameter[] | undefined) ?? [],
        body: content?.['application/json']?.schema ?? null,
        multipart: Boolean(content?.['multipart/form-data']) || consumes.includes('multipart/form-data'),
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------
// The world: a few of everything, and the IDs of it

interface Pools {
  users: string[];
  groups: string[];
  records: string[];
  recordTypes: string[];
  tasks: string[];
  attachments: string[];
  providers: string[];
  factors: string[];
  emails: string[];
  /** Every ID above, for "an ID of another thing". */
  all: string[];
}

// The app, its Administrator and the operations are made at collection time: one test per
// operation of the live document.
console.log(`OpenAPI fuzz: seed ${SEED} (replay with LATCHKEY_FUZZ_SEED=${SEED}), ${RUNS} cases per operation`);
const t: TestApp = await createTestApp();
const { id: fuzzerId, email: fuzzerEmail } = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
let sessionAdmin: Caller;
let tokenAdmin: Caller;

async function seedWorld(): Promise<void> {
  const regular = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
  await quickUser(t, SYSTEM_GROUP_IDS.administrator);
  await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
  await quickUser(t, SYSTEM_GROUP_IDS.orchestrationUser);
  const disabled = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
  await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
  await giveTotpFactor(t, regular.id);
  await createCustomGroup(t, ['users:view', 'tasks:view']);
  await quickRecordType(t);
  for (let i = 0; i < 3; i++) await quickRecord(t);
  for (const status of ['not_started', 'in_progress', 'complete', 'failed', 'cancelled'] as const) {
    const task = await makeTask(t, { status });
    await makeAttachment(t, task);
  }
  await insertOidcProvider(t, {
    issuer: 'http://127.0.0.1:9/nowhere',
    clientId: 'x',
    scopes: 'openid',
    groupsClaim: '',
  });
  await insertSamlProvider(t, {
    entityId: 'https://idp.example.test/entity',
    ssoUrl: 'http://127.0.0.1:9/sso',
    logoutUrl: '',
    certificate: TEST_IDP_CERT,
    groupsAttribute: 'groups',
  });
}

/** Tops the world up (fuzzed deletes succeed too) and lists its IDs. */
async function loadPools(): Promise<Pools> {
  const ids = async (
    table: 'users' | 'security_groups' | 'records' | 'record_types' | 'tasks' | 'identity_providers',
  ) => (await t.db.selectFrom(table).select('id').orderBy('id').limit(12).execute()).map((row) => row.id);
  if ((await ids('tasks')).length < 3) {
    for (let i = 0; i < 3; i++) await makeAttachment(t, await makeTask(t));
  }
  if ((await ids('records')).length < 2) await quickRecord(t);
  if ((await ids('identity_providers')).length < 1) await seedProviders();
  if ((await ids('users')).length < 4) await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
  const users = await ids('users');
  const attachments = (await t.db.selectFrom('task_attachments').select('id').limit(8).execute()).map((r) => r.id);
  const factors = (await t.db.selectFrom('mfa_factors').select('id').limit(8).execute()).map((r) => r.id);
  const emails = (await t.db.selectFrom('users').select('email').limit(8).execute()).map((r) => r.email);
  const pools = {
    users: [fuzzerId, ...users],
    groups: await ids('security_groups'),
    records: await ids('records'),
    recordTypes: await ids('record_types'),
    tasks: await ids('tasks'),
    attachments,
    providers: await ids('identity_providers'),
    factors,
    emails: [fuzzerEmail, ...emails],
  };
  return { ...pools, all: Object.values(pools).flat() };
}

async function seedProviders(): Promise<void> {
  await insertOidcProvider(t, {
    issuer: 'http://127.0.0.1:9/nowhere',
    clientId: 'x',
    scopes: 'openid',
    groupsClaim: '',
  });
}

/** The pool a path parameter or body field of this name draws valid values from. */
function poolFor(pools: Pools, path: string, name: string): string[] | null {
  const segments = path.split('/');
  const before = segments[segments.indexOf(`{${name}}`) - 1] ?? '';
  const key = name === 'id' ? before : name;
  if (/^(users|assigneeId|userId|actor|target)$/.test(key)) return pools.users;
  if (/^(security-groups|securityGroupId|defaultGroupId|groupId)$/.test(key)) return pools.groups;
  if (/^(records|recordId|recordIds|ids)$/.test(key)) return pools.records;
  if (/^(record-types|typeId)$/.test(key)) return pools.recordTypes;
  if (/^(tasks|taskId)$/.test(key)) return pools.tasks;
  if (/^(attachmentId|attachments)$/.test(key)) return pools.attachments;
  if (/^(identity-providers|oidc|saml|providerId|ssoProvider|identityProviderId)$/.test(key)) return pools.providers;
  if (/^(permissions)$/.test(key)) return [...ALL_PERMISSIONS];
  if (/^(factors|factorId)$/.test(key)) return pools.factors;
  if (/^(email)$/.test(key)) return pools.emails;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Odd values

const HUGE = ['a'.repeat(100_000), '😀'.repeat(25_000), '\u202E'.repeat(50_000), 'ك'.repeat(60_000)];

const ODD_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e309',
  '99999999999999999999999999',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'me',
  '../../../etc/passwd',
  '..',
  '.',
  '%',
  '%ff',
  '%00',
  '\u0000',
  '\u0001\u001f\u007f\u0085',
  '\r\n\r\n',
  '\t',
  "' OR '1'='1' --",
  '"; drop table users; --',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  'evil\u202Etxt.exe',
  'مرحبا بالعالم',
  'שלום עולם',
  '𝕃𝕒𝕥𝕔𝕙𝕜𝕖𝕪 👩‍👩‍👧‍👦🏳️‍🌈',
  'Zoë Ünïcödé ß ﬁ',
  'e\u0301\u0301\u0301\u0301',
  '\uD800',
  '\uDFFF',
  'a\uD83Db',
  '\uFEFF',
  '\u200B\u200D',
  'ADMIN@EXAMPLE.TEST',
  'a@b',
  '@',
  'x'.repeat(255) + '@example.test',
  TEST_PASSWORD,
  '2026-02-30',
  '2026-13-01T00:00:00.000Z',
  '0000-00-00T00:00:00Z',
  '-000001-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  randomUUID(),
  '00000000-0000-0000-0000-000000000000',
  'administrator',
  'regular-user',
];

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const codeUnitString = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  maxLength: 24,
});

function oddString(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 3, arbitrary: codeUnitString },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 2, arbitrary: fc.constantFrom(...pools.all, ...pools.emails) },
    { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
  );
}

const ODD_NUMBERS = [0, -1, -0, 1.5, 2 ** 31, 2 ** 32 + 1, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324];

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

function oddValue(pools: Pools): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: oddString(pools) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_NUMBERS) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  return fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...PROTOTYPE_KEYS, 'a', ''), leaf, { maxKeys: 3 }) },
  );
}

// ---------------------------------------------------------------------------------------------
// Valid values from a schema

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  return [];
}

function validString(schema: JsonSchema, pools: Pools, name: string, path: string): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, Math.max(min, 40));
  const fits = (value: string) => value.length >= min && value.length <= (schema.maxLength ?? Infinity);
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  const pool = poolFor(pools, path, name);
  if (pool && pool.length > 0) return fc.constantFrom(...pool);
  if (/email/i.test(name))
    return fc.oneof(
      fc.constantFrom(...pools.emails),
      fc.stringMatching(/^[a-z0-9]{4,12}$/).map((local) => `fuzz-${local}@example.test`),
    );
  if (/date/i.test(name) && schema.pattern)
    return fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
  if (/password/i.test(name)) return fc.constantFrom(TEST_PASSWORD, 'Un1que & long enough passphrase!', 'short');
  if (/url|issuer/i.test(name)) return fc.constantFrom('https://idp.example.test/x', 'http://127.0.0.1:9/x');
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
    } catch {
      // Patterns fast-check cannot invert (look-arounds): plain strings, which validation may refuse.
    }
  }
  return fc.string({ minLength: min, maxLength: max });
}

function validValue(schema: JsonSchema, pools: Pools, name: string, path: string, depth = 0): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.nullable)
    return fc.oneof(fc.constant(null), validValue({ ...schema, nullable: false }, pools, name, path, depth));
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices && choices.length > 0) return fc.oneof(...choices.map((s) => validValue(s, pools, name, path, depth)));
  if (schema.allOf && schema.allOf.length > 0)
    return validValue(Object.assign({}, ...schema.allOf), pools, name, path, depth);
  const types = typesOf(schema);
  if (types.length > 1)
    return fc.oneof(...types.map((type) => validValue({ ...schema, type }, pools, name, path, depth)));
  switch (types[0]) {
    case 'string':
      return validString(schema, pools, name, path);
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1000);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.min(max, min + 100_000)) });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = schema.items ?? {};
      const pool = poolFor(pools, path, name);
      const items = pool && pool.length > 0 ? fc.constantFrom(...pool) : validValue(item, pools, name, path, depth + 1);
      const minLength = schema.minItems ?? 0;
      return fc.array(items, { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'object': {
      if (depth > 3) return fc.constant({});
      const properties = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, property] of Object.entries(properties))
        model[key] = validValue(property, pools, key, path, depth + 1);
      if (Object.keys(model).length === 0 && typeof schema.additionalProperties === 'object')
        return fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }),
          validValue(schema.additionalProperties, pools, '', path, depth + 1),
          { maxKeys: 3 },
        );
      // Optional fields are left out three times in four: cross-field rules then pass more often.
      const required = new Set(schema.required ?? []);
      for (const key of Object.keys(model))
        if (!required.has(key))
          model[key] = fc.oneof(
            { weight: 3, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: model[key]! },
          );
      return fc
        .record(model)
        .map((value) => Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)));
    }
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean());
  }
}

/** One field replaced by an odd value or another type, dropped, or a prototype key added, or nothing. */
function mutated(value: fc.Arbitrary<unknown>, pools: Pools): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      value,
      fc.constantFrom('none', 'none', 'none', 'replace', 'replace', 'drop', 'prototype', 'unknown'),
      fc.nat(),
      oddValue(pools),
    )
    .map(([original, how, index, odd]) => {
      if (original === null || typeof original !== 'object' || Array.isArray(original) || how === 'none')
        return how === 'none' ? original : odd;
      const copy: Record<string, unknown> = { ...(original as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const key = keys.length > 0 ? keys[index % keys.length]! : 'field';
      if (how === 'replace') copy[key] = odd;
      else if (how === 'drop') delete copy[key];
      else if (how === 'unknown') copy[`x${index % 7}`] = odd;
      else
        Object.defineProperty(copy, PROTOTYPE_KEYS[index % PROTOTYPE_KEYS.length]!, { value: odd, enumerable: true });
      return copy;
    });
}

// ---------------------------------------------------------------------------------------------
// Requests

interface FuzzCase {
  caller: 'session' | 'token';
  kind: 'hostile' | 'mostly-valid';
  url: string;
  contentType?: string;
  payload?: string | Buffer;
}

/** Percent-encodes any string, a lone surrogate as the (invalid) UTF-8 bytes of that code unit. */
function encodeComponent(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    } else {
      out += encodeURIComponent(value[i]!);
    }
  }
  return out;
}

function queryString(entries: Array<[string, string]>): string {
  if (entries.length === 0) return '';
  return `?${entries.map(([key, value]) => `${encodeComponent(key)}=${encodeComponent(value)}`).join('&')}`;
}

const BROKEN_JSON = [
  '',
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '[1,2',
  'nul',
  'undefined',
  '\uFEFF{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '[]',
  'null',
  '"just a string"',
  '12345678901234567890123456789',
  '{"a":1e99999}',
  '{"a":1,"a":2}',
  '['.repeat(50_000) + ']'.repeat(50_000),
  '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
  JSON.stringify({ a: 'x'.repeat(1_100_000) }),
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'multipart/form-data',
  `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`,
  'multipart/form-data; boundary=',
  'multipart/mixed; boundary=x',
  '*/*',
  'json',
  ';',
];

function multipartBody(fileName: string, content: string, field = 'file'): string {
  return (
    `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\n` +
    `Content-Type: text/plain\r\n\r\n${content}\r\n--${MULTIPART_BOUNDARY}--\r\n`
  );
}

/** Multipart bodies: a good one, one cut short at any byte, a wrong field, two files, a wrong boundary. */
function multipartArb(pools: Pools): fc.Arbitrary<{ contentType: string; payload: string }> {
  const good = `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`;
  return fc
    .tuple(
      oddString(pools),
      oddString(pools),
      fc.nat(),
      fc.constantFrom('good', 'cut', 'field', 'two', 'boundary', 'none'),
    )
    .map(([name, content, cut, how]) => {
      const body = multipartBody(name.slice(0, 300), content);
      if (how === 'cut') return { contentType: good, payload: body.slice(0, cut % body.length) };
      if (how === 'field') return { contentType: good, payload: multipartBody('a.txt', content, name.slice(0, 300)) };
      if (how === 'two') return { contentType: good, payload: body.replace(/--\r\n$/, '\r\n') + body };
      if (how === 'boundary') return { contentType: 'multipart/form-data; boundary=other', payload: body };
      if (how === 'none') return { contentType: 'multipart/form-data', payload: body };
      return { contentType: good, payload: body };
    });
}

function pathArb(operation: Operation, pools: Pools, valid: boolean): fc.Arbitrary<string> {
  const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const values = names.map((name) => {
    const parameter = operation.parameters.find((p) => p.in === 'path' && p.name === name);
    const pool = poolFor(pools, operation.path, name) ?? [];
    const validArb =
      parameter?.schema.enum && parameter.schema.enum.length > 0
        ? fc.constantFrom(...(parameter.schema.enum as string[]))
        : fc.constantFrom(...(pool.length > 0 ? pool : pools.all));
    if (valid) return validArb.map(encodeComponent);
    return fc.oneof(
      validArb.map(encodeComponent),
      // The ID of something else.
      fc.constantFrom(...pools.all),
      oddString(pools).map(encodeComponent),
      // Sent as they are: malformed escapes, dot segments, a slash.
      fc.constantFrom('%', '%ff', '%E0%A4%A', '..', '.', '%2e%2e', 'a%2Fb', 'a/b', '%00', ' '),
    );
  });
  return fc.tuple(...values).map((parts) => {
    let i = 0;
    return operation.path.replace(/\{\w+\}/g, () => parts[i++]!);
  });
}

function queryArb(operation: Operation, pools: Pools, valid: boolean): fc.Arbitrary<Array<[string, string]>> {
  const parameters = operation.parameters.filter((p) => p.in === 'query');
  if (valid) {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const parameter of parameters)
      model[parameter.name] = validValue(parameter.schema, pools, parameter.name, operation.path);
    const query = fc.record(model, { requiredKeys: parameters.filter((p) => p.required).map((p) => p.name) });
    // One field mutated per request: in the body when there is one, else in the query.
    return (operation.body || operation.multipart ? query : mutated(query, pools)).map((query) =>
      // An array is sent as a repeated key (?status=a&status=b).
      Object.entries((query ?? {}) as Record<string, unknown>).flatMap(([key, value]) =>
        (Array.isArray(value) ? value : [value]).map((item): [string, string] => [
          key,
          typeof item === 'string' ? item : (JSON.stringify(item) ?? ''),
        ]),
      ),
    );
  }
  const keys = [
    ...parameters.map((p) => p.name),
    ...PROTOTYPE_KEYS,
    'page',
    'pageSize',
    'sort',
    'order',
    'a[b]',
    '__proto__[admin]',
    '',
  ];
  const values = fc.oneof(
    oddString(pools),
    fc.constantFrom(
      '-1',
      '0',
      '1.5',
      '1e3',
      '0x10',
      '2147483648',
      '9007199254740993',
      '-0',
      '',
      'asc',
      'desc',
      'DESC',
      'email,-email',
    ),
  );
  return fc.array(fc.tuple(fc.constantFrom(...keys), values), { maxLength: 6 });
}

function bodyArb(
  operation: Operation,
  pools: Pools,
  valid: boolean,
): fc.Arbitrary<{ contentType?: string; payload?: string | Buffer }> {
  if (valid) {
    const file = fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 200 })).map(([name, content]) => ({
      contentType: `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`,
      payload: multipartBody(name.replace(/["\r\n]/g, '') || 'a.txt', content),
    }));
    if (operation.multipart) return file;
    // The document cannot say that an upload takes a file (no JSON body schema): send one, or nothing.
    if (!operation.body) return MUTATING.has(operation.method) ? fc.oneof(fc.constant({}), file) : fc.constant({});
    return mutated(validValue(operation.body, pools, '', operation.path), pools).map((body) => ({
      contentType: 'application/json',
      payload: JSON.stringify(body) ?? 'null',
    }));
  }
  const shaped = operation.body
    ? mutated(validValue(operation.body, pools, '', operation.path), pools)
    : oddValue(pools);
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), shaped)
        .map(([contentType, body]) => ({ contentType, payload: JSON.stringify(body) ?? '' })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), oddValue(pools))
        .map(([contentType, body]) => ({ contentType, payload: JSON.stringify(body) ?? '' })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), fc.constantFrom(...BROKEN_JSON))
        .map(([contentType, payload]) => ({ contentType, payload })),
    },
    // Broken multipart most of all where a file may be expected (a change without a JSON body).
    { weight: !operation.body && MUTATING.has(operation.method) ? 6 : 2, arbitrary: multipartArb(pools) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

function caseArb(operation: Operation, pools: Pools): fc.Arbitrary<FuzzCase> {
  const build = (kind: FuzzCase['kind']) => {
    const valid = kind === 'mostly-valid';
    return fc
      .tuple(
        fc.constantFrom('session' as const, 'token' as const),
        pathArb(operation, pools, valid),
        queryArb(operation, pools, valid),
        bodyArb(operation, pools, valid),
      )
      .map(([caller, path, query, body]): FuzzCase => ({ caller, kind, url: path + queryString(query), ...body }));
  };
  return fc.oneof({ weight: 3, arbitrary: build('hostile') }, { weight: 2, arbitrary: build('mostly-valid') });
}

// ---------------------------------------------------------------------------------------------
// Staying signed in

async function signInFuzzer(): Promise<void> {
  sessionAdmin = await quickSession(t, { id: fuzzerId });
  tokenAdmin = tokenCaller(t, await giveApiToken(t, fuzzerId));
}

let restorations = 0;

/**
 * Puts the fuzzer's own account back as it was (enabled Administrator, no forced password change)
 * and signs in again when a fuzzed request ended its session or token.
 */
async function stayAdministrator(): Promise<void> {
  const account = await t.db
    .selectFrom('users')
    .select(['status', 'security_group_id', 'must_change_password'])
    .where('id', '=', fuzzerId)
    .executeTakeFirst();
  if (!account) throw new Error('A fuzzed request deleted the fuzzer’s own account (self-deletion must be refused).');
  if (
    account.status !== 'enabled' ||
    account.security_group_id !== SYSTEM_GROUP_IDS.administrator ||
    account.must_change_password
  ) {
    restorations++;
    await t.db
      .updateTable('users')
      .set({ status: 'enabled', security_group_id: SYSTEM_GROUP_IDS.administrator, must_change_password: 0 })
      .where('id', '=', fuzzerId)
      .execute();
  }
  const sessionId = sessionAdmin.cookie!.split('=')[1]!;
  const session = await t.db
    .selectFrom('sessions')
    .select('id_hash')
    .where('id_hash', '=', hashSecret(sessionId))
    .executeTakeFirst();
  const token = await t.db
    .selectFrom('api_tokens')
    .select('user_id')
    .where('user_id', '=', fuzzerId)
    .executeTakeFirst();
  if (!session || !token) {
    restorations++;
    await signInFuzzer();
  }
}

// ---------------------------------------------------------------------------------------------
// The suite

interface Finding {
  operation: string;
  case: FuzzCase;
  status: number;
  problem: string;
}

const findings: Finding[] = [];
const spent: Record<string, number> = {};

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    spent[what] = (spent[what] ?? 0) + performance.now() - start;
  }
}

let requestsSent = 0;

function describeCase(c: FuzzCase): string {
  const payload = c.payload === undefined ? '' : String(c.payload);
  const shown = payload.length > 300 ? `${payload.slice(0, 300)}… (${payload.length} chars)` : payload;
  return `${c.caller} ${c.kind} ${c.url.slice(0, 300)} [${c.contentType ?? '-'}] ${JSON.stringify(shown)}`;
}

function seedFor(operation: Operation): number {
  let hash = SEED;
  for (const char of `${operation.method} ${operation.path}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

await signInFuzzer();
await seedWorld();
const operations = operationsOf((await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json());

afterAll(async () => {
  const fiveHundreds = findings.filter((f) => f.status >= 500).length;
  console.log(
    `OpenAPI fuzz (${t.databaseKind}): ${requestsSent} requests over ${operations.length} operations, ` +
      `${fiveHundreds} answered 5xx, ${findings.length - fiveHundreds} other findings, ` +
      `${restorations} restorations of the fuzzer's own account or sign-in; seed ${SEED}; ms spent: ` +
      JSON.stringify(Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, Math.round(v)]))),
  );
  await t.close();
});

/** Sends the operation's cases; returns what went wrong, and the answers by status. */
async function fuzz(operation: Operation): Promise<{ found: Finding[]; statuses: Map<number, number> }> {
  const name = `${operation.method} ${operation.path}`;
  const pools = await loadPools();
  const cases = fc.sample(caseArb(operation, pools), { seed: seedFor(operation), numRuns: RUNS });
  const mutating = MUTATING.has(operation.method);
  const found: Finding[] = [];
  const statuses = new Map<number, number>();
  // The data as it was before this request, and the change marker then (see changeMarker).
  let before: { data: Fingerprint; marker: string } | null = null;
  const takeFingerprint = () =>
    timed('fingerprint', async () => ({
      data: await fingerprint(t, { ignoredAuditActions: AUDITED_ON_REFUSAL }),
      marker: await changeMarker(t),
    }));
  for (const c of cases) {
    if (mutating && before === null) before = await takeFingerprint();
    const caller = c.caller === 'session' ? sessionAdmin : tokenAdmin;
    const request: InjectOptions = {
      method: operation.method,
      url: c.url,
      ...(c.payload !== undefined ? { payload: c.payload } : {}),
      ...(c.contentType !== undefined ? { headers: { 'content-type': c.contentType } } : {}),
    };
    let response: LightMyRequestResponse;
    try {
      response = await timed('request', () => caller.request(request));
    } catch (error) {
      found.push({ operation: name, case: c, status: 0, problem: `inject threw: ${String(error)}` });
      continue;
    }
    requestsSent++;
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    if (process.env.LATCHKEY_FUZZ_VERBOSE === '2' && c.kind === 'mostly-valid' && response.statusCode >= 400)
      console.log(`${name} ${response.statusCode} ${response.body.slice(0, 200)}\n    ${describeCase(c)}`);
    if (response.statusCode >= 500)
      found.push({ operation: name, case: c, status: response.statusCode, problem: response.body.slice(0, 200) });
    const refused = response.statusCode >= 400 && response.statusCode < 500;
    // Nothing written since the fingerprint (one query) proves nothing changed; else compare them.
    if (mutating && refused && (await changeMarker(t)) !== before!.marker) {
      const after = await takeFingerprint();
      const changed = fingerprintDifferences(before!.data, after.data, ALLOWED_ON_REFUSAL);
      if (changed.length > 0)
        found.push({
          operation: name,
          case: c,
          status: response.statusCode,
          problem: `refused, yet changed ${changed.join(', ')}`,
        });
      before = after;
    } else if (!refused) {
      // A success may change anything (a GET too: starting SSO stores the flow).
      before = null;
    }
    // Only a change can end the fuzzer's sign-in; a GET that did (an SSO logout) shows as a 401 next.
    if ((mutating && !refused) || response.statusCode === 401 || response.statusCode === 403) {
      const restoredBefore = restorations;
      await timed('restore', stayAdministrator);
      if (restorations !== restoredBefore) before = null;
    }
  }
  return { found, statuses };
}

describe('every operation of /api/openapi.json, fuzzed as an Administrator by session and by token', () => {
  it('finds the operations in the document', () => {
    expect(operations.length).toBeGreaterThan(50);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toContain('POST /api/v1/tasks/{id}/attachments');
  });

  it('notices any write: the change marker moves and the fingerprint differs', async () => {
    const marker = await changeMarker(t);
    const data = await fingerprint(t);
    await t.db.updateTable('users').set({ title: 'changed by the check' }).where('id', '=', fuzzerId).execute();
    expect(await changeMarker(t)).not.toBe(marker);
    expect(fingerprintDifferences(data, await fingerprint(t))).toEqual(['users']);
    await t.db.updateTable('users').set({ title: '' }).where('id', '=', fuzzerId).execute();
    expect(fingerprintDifferences(data, await fingerprint(t))).toEqual([]);
    const audited = await fingerprint(t, { ignoredAuditActions: AUDITED_ON_REFUSAL });
    const entry = { occurred_at: new Date().toISOString(), action: 'account.locked', details: '{}' };
    await t.db.insertInto('audit_events').values(entry).execute();
    expect(fingerprintDifferences(audited, await fingerprint(t, { ignoredAuditActions: AUDITED_ON_REFUSAL }))).toEqual(
      [],
    );
    await t.db
      .insertInto('audit_events')
      .values({ ...entry, action: 'user.updated' })
      .execute();
    expect(fingerprintDifferences(audited, await fingerprint(t, { ignoredAuditActions: AUDITED_ON_REFUSAL }))).toEqual([
      'audit_events',
    ]);
  });

  for (const operation of operations) {
    const name = `${operation.method} ${operation.path}`;
    it(`${name}: no 5xx, and a refusal changes nothing (${RUNS} cases)`, async () => {
      const { found, statuses } = await fuzz(operation);
      findings.push(...found);
      if (process.env.LATCHKEY_FUZZ_VERBOSE) {
        const answered = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
        console.log(`${name}: ${answered.join(' ')}`);
      }
      const shown = found.slice(0, 10).map((f) => `→ ${f.status} ${f.problem}\n    ${describeCase(f.case)}`);
      expect(found, `seed ${SEED} (LATCHKEY_FUZZ_SEED=${SEED}):\n${shown.join('\n')}`).toEqual([]);
    }, 120_000);
  }
});
