/**
 * Answers are written by fast-json-stringify from each route's zod schema
 * (src/server/response-serializer.ts): the same text zod would write, only what the schema
 * declares, an error for a missing required property, and zod's own way where JSON Schema cannot
 * say what zod would write. The API suites run with the zod cross-check on; these pin the rules.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createResponseSerializerCompiler } from '../../src/server/response-serializer.js';

const fastOnly = createResponseSerializerCompiler({ checkAgainstZod: false });
const checked = createResponseSerializerCompiler({ checkAgainstZod: true });
const route = (schema: z.ZodType) => ({ schema, method: 'GET', url: '/api/v1/example', httpStatus: '200' });

const Account = z.object({
  id: z.string(),
  email: z.string(),
  title: z.string().nullable(),
  lastLoginAt: z.string().nullable().optional(),
  status: z.enum(['enabled', 'disabled']),
  group: z.object({ id: z.string(), name: z.string() }),
  abilities: z.record(z.string(), z.boolean()),
});
const Page = z.object({ items: z.array(Account), total: z.number().int(), more: z.boolean() });

const row = {
  id: 'u1',
  email: 'åsa.öberg@example.test',
  title: null,
  status: 'enabled',
  group: { id: 'g1', name: 'Administrators "HQ"', secret: 'nested column' },
  abilities: { update: true, delete: false },
  passwordHash: '$argon2id$v=19$…',
};

describe('the response serializer', () => {
  it('writes what zod writes, and only the declared properties, nested ones too', () => {
    const answer = {
      items: [row, { ...row, id: 'u2', lastLoginAt: '2026-12-07T10:00:00.000Z' }],
      total: 2,
      more: false,
    };
    const written = fastOnly(route(Page))(answer);
    // The same values (an optional property present may come in another place, as JSON allows).
    expect(JSON.parse(written)).toEqual(z.encode(Page, answer as z.input<typeof Page>));
    expect(written).not.toContain('passwordHash');
    expect(written).not.toContain('nested column');
    expect(checked(route(Page))(answer)).toBe(written);
  });

  it('refuses an answer without a required property', () => {
    const { email: _email, ...withoutEmail } = row;
    expect(() => fastOnly(route(Account))(withoutEmail)).toThrow(/email/);
  });

  it('uses fast-json-stringify, and with the cross-check on, zod refuses what it would not write', () => {
    const Count = z.object({ total: z.number() });
    // fast-json-stringify writes a numeric string as a number; zod's encode refuses it.
    expect(fastOnly(route(Count))({ total: '5' })).toBe('{"total":5}');
    expect(() => checked(route(Count))({ total: '5' })).toThrow();
  });

  it('keeps zod for a schema JSON Schema cannot express', () => {
    const WithDate = z.object({ at: z.date() });
    const at = new Date('2026-12-07T10:00:00.000Z');
    expect(fastOnly(route(WithDate))({ at, extra: 1 })).toBe('{"at":"2026-12-07T10:00:00.000Z"}');
  });
});
