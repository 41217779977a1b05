import { isDeepStrictEqual } from 'node:util';
import fastJsonStringify from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * Every route's answer is written from its zod response schema. zod's own way (encode, then
 * JSON.stringify) re-checks and copies the whole answer, and was the largest single cost of an
 * authenticated call (issue 12's profile: about 14 % of the CPU of `GET /api/v1/me`, and more for a
 * page of 100 users). Here the schema is turned, on the first answer that uses it, into the JSON
 * Schema the OpenAPI document already shows, and compiled with fast-json-stringify, which writes
 * an object straight from it (that first answer waits ~20 ms for the compile; see fastWriterFor).
 *
 * What must not change does not: like zod's encode, only the properties the schema declares are
 * written (a column added to a database row never leaks into an answer) and a required property
 * that is missing is an error. A schema that JSON Schema cannot express (a transform) keeps zod's
 * way. The test suites run with LATCHKEY_CHECK_SERIALIZER=1: then every answer is also written
 * zod's way, and any difference is an error, so the two never drift apart unnoticed.
 */

export type SerializerCompiler = (route: {
  schema: unknown;
  method: string;
  url: string;
  httpStatus?: string;
}) => (data: unknown) => string;

/** The zod schema of a response: the schema itself, or fastify-type-provider-zod's `{ properties: schema }` form. */
function zodSchemaOf(schema: unknown): z.ZodType | null {
  if (schema instanceof z.ZodType) return schema;
  if (typeof schema === 'object' && schema !== null && 'properties' in schema && schema.properties instanceof z.ZodType)
    return schema.properties;
  return null;
}

type Write = (data: unknown) => string;

/**
 * Compiled writers by schema: routes that answer with the same schema (every route's error
 * answers above all) share one. Each costs about 20 ms to compile and half a megabyte of memory,
 * so a node holds at most one per distinct schema it has answered with.
 */
const compiled = new WeakMap<z.ZodType, Write | null>();

function fastWriterFor(schema: z.ZodType): Write | null {
  let write = compiled.get(schema);
  if (write === undefined) compiled.set(schema, (write = compileFast(schema)));
  return write;
}

/** fast-json-stringify for the schema, or null where JSON Schema cannot say what zod would write. */
function compileFast(schema: z.ZodType): Write | null {
  let jsonSchema: Record<string, unknown>;
  try {
    jsonSchema = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' });
  } catch {
    return null;
  }
  // fast-json-stringify validates `anyOf` branches with ajv's default draft, not 2020-12's URI.
  delete jsonSchema.$schema;
  try {
    return fastJsonStringify(jsonSchema as unknown as Parameters<typeof fastJsonStringify>[0]);
  } catch {
    return null;
  }
}

/** The serializer compiler; `checkAgainstZod` also writes every answer zod's way and fails on a difference. */
export function createResponseSerializerCompiler({
  checkAgainstZod,
}: {
  checkAgainstZod: boolean;
}): SerializerCompiler {
  return (route) => {
    const zodWay = (zodSerializerCompiler as unknown as SerializerCompiler)(route);
    const schema = zodSchemaOf(route.schema);
    if (!schema) return zodWay;
    // Compiled on the first answer, not at start-up: most routes are never called by a given node,
    // and start-up stays under a second.
    let fast: Write | null | undefined;
    return (data) => {
      if (fast === undefined) fast = fastWriterFor(schema);
      if (!fast) return zodWay(data);
      const written = fast(data);
      if (checkAgainstZod) {
        const expected = zodWay(data);
        if (written !== expected && !isDeepStrictEqual(JSON.parse(written), JSON.parse(expected))) {
          // Without the two texts: an answer may hold a secret shown once (a new API token).
          throw new Error(
            `${route.method} ${route.url} (${route.httpStatus ?? 'any status'}): fast-json-stringify and zod wrote different answers`,
          );
        }
      }
      return written;
    };
  };
}

export const responseSerializerCompiler = createResponseSerializerCompiler({
  checkAgainstZod: process.env.LATCHKEY_CHECK_SERIALIZER === '1',
});
