/**
 * SCIM 2.0 filters and attribute paths (RFC 7644 §3.4.2.2 and §3.5.2), parsed into a small tree;
 * pure, no database. What a filter means for Latchkey's accounts (SQL) is in scim-users.ts.
 *
 * Grammar (operators and keywords in any letter case; attribute names too, as RFC 7643 §2.1 says):
 *
 *   filter    = orExpr
 *   orExpr    = andExpr *("or" andExpr)
 *   andExpr   = unary *("and" unary)
 *   unary     = "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath
 *   attrExp   = attrPath "pr" / attrPath compareOp compValue
 *   valuePath = attrPath "[" valFilter "]"
 *               [ "." subAttr ( "pr" / compareOp compValue ) ]   ; Entra ID's form, also accepted
 *   attrPath  = [ schema-URN ":" ] ATTRNAME [ "." subAttr ]
 *   compValue = false / null / true / number / string (JSON)
 *
 * A PATCH path (§3.5.2) is `attrPath` or `valuePath [ "." subAttr ]`: parsePatchPath.
 */

export class ScimFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScimFilterError';
  }
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';
export type CompValue = string | number | boolean | null;

export interface AttrPath {
  /** The schema URN when the path names one (lower-cased), else null. */
  schema: string | null;
  /** The attribute's name as sent (compare case-insensitively). */
  attribute: string;
  subAttribute: string | null;
}

export type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompValue }
  | { kind: 'present'; path: AttrPath }
  /** `emails[type eq "work"]`: some value of the multi-valued `path.attribute` matches `filter` (paths inside are sub-attributes). */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };

export interface PatchPath {
  path: AttrPath;
  /** `emails[type eq "work"]`: the values the operation applies to. */
  valueFilter: Filter | null;
}

export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:user';
export const CORE_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);
const MAX_FILTER_LENGTH = 2000;
const MAX_DEPTH = 20;

type Token =
  | { type: 'word'; text: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: '(' | ')' | '[' | ']'; at: number }
  | { type: 'end'; at: number };

/** Attribute names, URNs and keywords: letters, digits and - _ : . $ (RFC 7643 §2.1, URNs). */
const WORD_CHAR = /[A-Za-z0-9_:.$-]/;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ type: c, at: i });
      i++;
    } else if (c === '"') {
      // A JSON string: find its closing quote (skipping escapes), then let JSON decode it.
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw new ScimFilterError(`Unterminated string starting at position ${i + 1}.`);
      let value: unknown;
      try {
        value = JSON.parse(input.slice(i, j + 1));
      } catch {
        throw new ScimFilterError(`Invalid string at position ${i + 1}.`);
      }
      tokens.push({ type: 'string', value: value as string, at: i });
      i = j + 1;
    } else if (/[-0-9]/.test(c) && (c !== '-' || /[0-9]/.test(input[i + 1] ?? ''))) {
      const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(input.slice(i));
      if (!match || WORD_CHAR.test(input[i + match[0].length] ?? ' ')) {
        // Not a number after all (an attribute name may not start with a digit either).
        throw new ScimFilterError(`Unexpected "${c}" at position ${i + 1}.`);
      }
      tokens.push({ type: 'number', value: Number(match[0]), at: i });
      i += match[0].length;
    } else if (WORD_CHAR.test(c)) {
      let j = i;
      while (j < input.length && WORD_CHAR.test(input[j]!)) j++;
      tokens.push({ type: 'word', text: input.slice(i, j), at: i });
      i = j;
    } else {
      throw new ScimFilterError(`Unexpected "${c}" at position ${i + 1}.`);
    }
  }
  tokens.push({ type: 'end', at: input.length });
  return tokens;
}

const ATTR_NAME = /^[A-Za-z$][A-Za-z0-9_$-]*$/;

/**
 * `name.givenName`, `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName`, `userName`.
 * With `allowSub` false (before a `[`), no sub-attribute.
 */
export function parseAttrPath(text: string, allowSub = true): AttrPath {
  let schema: string | null = null;
  let rest = text;
  if (/^urn:/i.test(text)) {
    // The URN ends at its last colon; its own segments may contain dots ("2.0").
    const colon = text.lastIndexOf(':');
    schema = text.slice(0, colon).toLowerCase();
    rest = text.slice(colon + 1);
    if (!rest) throw new ScimFilterError(`"${text}" names a schema but no attribute.`);
  } else if (text.includes(':')) {
    throw new ScimFilterError(`"${text}" is not an attribute path.`);
  }
  const parts = rest.split('.');
  if (parts.length > (allowSub ? 2 : 1) || !parts.every((part) => ATTR_NAME.test(part))) {
    throw new ScimFilterError(`"${text}" is not an attribute path.`);
  }
  return { schema, attribute: parts[0]!, subAttribute: parts[1] ?? null };
}

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    return this.tokens[this.position++]!;
  }

  private keyword(token: Token): string | null {
    return token.type === 'word' ? token.text.toLowerCase() : null;
  }

  private expect(type: Token['type'], what: string): Token {
    const token = this.next();
    if (token.type !== type) throw this.unexpected(token, what);
    return token;
  }

  private unexpected(token: Token, what: string): ScimFilterError {
    const found =
      token.type === 'end'
        ? 'the end of the filter'
        : token.type === 'word'
          ? `"${token.text}"`
          : token.type === 'string'
            ? `"${token.value}" (a string)`
            : token.type === 'number'
              ? String(token.value)
              : `"${token.type}"`;
    return new ScimFilterError(`Expected ${what} at position ${token.at + 1}, found ${found}.`);
  }

  parseAll(): Filter {
    const filter = this.parseOr(false);
    const rest = this.peek();
    if (rest.type !== 'end') throw this.unexpected(rest, '"and", "or" or the end of the filter');
    return filter;
  }

  private parseOr(inValuePath: boolean): Filter {
    if (++this.depth > MAX_DEPTH) throw new ScimFilterError('The filter is nested too deeply.');
    let left = this.parseAnd(inValuePath);
    while (this.keyword(this.peek()) === 'or') {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(inValuePath) };
    }
    this.depth--;
    return left;
  }

  private parseAnd(inValuePath: boolean): Filter {
    let left = this.parseUnary(inValuePath);
    while (this.keyword(this.peek()) === 'and') {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary(inValuePath) };
    }
    return left;
  }

  private parseUnary(inValuePath: boolean): Filter {
    const token = this.peek();
    if (token.type === '(') {
      this.next();
      const inner = this.parseOr(inValuePath);
      this.expect(')', '")"');
      return inner;
    }
    if (this.keyword(token) === 'not' && this.tokens[this.position + 1]?.type === '(') {
      this.next();
      this.next();
      const inner = this.parseOr(inValuePath);
      this.expect(')', '")"');
      return { kind: 'not', filter: inner };
    }
    if (token.type !== 'word') throw this.unexpected(token, 'an attribute name');
    this.next();
    if (this.peek().type === '[') {
      if (inValuePath) throw new ScimFilterError('A value filter cannot contain another value filter.');
      const path = parseAttrPath(token.text, false);
      this.next();
      const inner = this.parseOr(true);
      this.expect(']', '"]"');
      const after = this.peek();
      // Entra ID: emails[type eq "work"].value eq "x" — the sub-attribute compared on the same value.
      if (after.type === 'word' && after.text.startsWith('.')) {
        this.next();
        const sub = parseAttrPath(after.text.slice(1), false);
        if (sub.schema) throw new ScimFilterError(`"${after.text}" is not a sub-attribute.`);
        const comparison = this.parseComparison({ schema: null, attribute: sub.attribute, subAttribute: null });
        return { kind: 'valuePath', path, filter: { kind: 'and', left: inner, right: comparison } };
      }
      return { kind: 'valuePath', path, filter: inner };
    }
    return this.parseComparison(parseAttrPath(token.text));
  }

  private parseComparison(path: AttrPath): Filter {
    const opToken = this.next();
    const op = this.keyword(opToken);
    if (op === 'pr') return { kind: 'present', path };
    if (!op || !COMPARE_OPS.has(op))
      throw this.unexpected(opToken, 'an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)');
    const valueToken = this.next();
    let value: CompValue;
    if (valueToken.type === 'string' || valueToken.type === 'number') value = valueToken.value;
    else if (valueToken.type === 'word' && ['true', 'false', 'null'].includes(valueToken.text.toLowerCase()))
      value = JSON.parse(valueToken.text.toLowerCase()) as boolean | null;
    else throw this.unexpected(valueToken, 'a value (a "string", a number, true, false or null)');
    return { kind: 'compare', path, op: op as CompareOp, value };
  }
}

/** Parses a `filter` query parameter; throws ScimFilterError (→ 400 invalidFilter). */
export function parseFilter(input: string): Filter {
  if (input.length > MAX_FILTER_LENGTH)
    throw new ScimFilterError(`A filter may be at most ${MAX_FILTER_LENGTH} characters long.`);
  if (!input.trim()) throw new ScimFilterError('The filter is empty.');
  return new Parser(tokenize(input)).parseAll();
}

/** Parses a PATCH operation's `path`; throws ScimFilterError (→ 400 invalidPath). */
export function parsePatchPath(input: string): PatchPath {
  if (input.length > MAX_FILTER_LENGTH) throw new ScimFilterError('The path is too long.');
  const open = input.indexOf('[');
  if (open === -1) return { path: parseAttrPath(input.trim()), valueFilter: null };
  const close = input.lastIndexOf(']');
  if (close < open) throw new ScimFilterError(`"${input}" has "[" without "]".`);
  const base = parseAttrPath(input.slice(0, open).trim(), false);
  const valueFilter = new Parser(tokenize(input.slice(open + 1, close))).parseAll();
  if (containsValuePath(valueFilter)) throw new ScimFilterError('A value filter cannot contain another value filter.');
  const tail = input.slice(close + 1).trim();
  let subAttribute: string | null = null;
  if (tail) {
    if (!tail.startsWith('.') || !ATTR_NAME.test(tail.slice(1)))
      throw new ScimFilterError(`"${tail}" after "]" is not a sub-attribute.`);
    subAttribute = tail.slice(1);
  }
  return { path: { ...base, subAttribute }, valueFilter };
}

function containsValuePath(filter: Filter): boolean {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return containsValuePath(filter.left) || containsValuePath(filter.right);
    case 'not':
      return containsValuePath(filter.filter);
    case 'valuePath':
      return true;
    default:
      return false;
  }
}

/** Lower-cased name lookup in a plain object (SCIM attribute names are case-insensitive). */
export function getCaseInsensitive(object: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function present(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function compareValues(actual: unknown, op: CompareOp, expected: CompValue, caseExact: boolean): boolean {
  if (Array.isArray(actual)) return actual.some((item) => compareValues(item, op, expected, caseExact));
  if (op === 'eq' && expected === null) return !present(actual);
  if (op === 'ne' && expected === null) return present(actual);
  if (actual === null || actual === undefined) return op === 'ne';
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    if (op === 'eq') return actual === expected;
    if (op === 'ne') return actual !== expected;
    return false;
  }
  if (typeof actual === 'number' && typeof expected === 'number') {
    switch (op) {
      case 'eq':
        return actual === expected;
      case 'ne':
        return actual !== expected;
      case 'gt':
        return actual > expected;
      case 'ge':
        return actual >= expected;
      case 'lt':
        return actual < expected;
      case 'le':
        return actual <= expected;
      default:
        return false;
    }
  }
  if (typeof actual !== 'string' || typeof expected !== 'string') return op === 'ne';
  const a = caseExact ? actual : actual.toLowerCase();
  const b = caseExact ? expected : expected.toLowerCase();
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

function valueAt(resource: Record<string, unknown>, path: AttrPath): unknown {
  const top = getCaseInsensitive(resource, path.attribute);
  if (!path.subAttribute) return top;
  const pick = (item: unknown) =>
    item && typeof item === 'object'
      ? getCaseInsensitive(item as Record<string, unknown>, path.subAttribute!)
      : undefined;
  return Array.isArray(top) ? top.map(pick).filter((value) => value !== undefined) : pick(top);
}

/**
 * Whether a resource (or one value of a multi-valued attribute, for a value filter) matches, with
 * strings compared in any letter case. Used on the few values Latchkey keeps per account
 * (`emails[type eq "work"]` in a PATCH path); lists are filtered in the database.
 */
export function matchesFilter(filter: Filter, resource: Record<string, unknown>): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesFilter(filter.left, resource) && matchesFilter(filter.right, resource);
    case 'or':
      return matchesFilter(filter.left, resource) || matchesFilter(filter.right, resource);
    case 'not':
      return !matchesFilter(filter.filter, resource);
    case 'present':
      return present(valueAt(resource, filter.path));
    case 'compare':
      return compareValues(valueAt(resource, filter.path), filter.op, filter.value, false);
    case 'valuePath': {
      const values = getCaseInsensitive(resource, filter.path.attribute);
      const list = Array.isArray(values) ? values : values === undefined ? [] : [values];
      return list.some(
        (item) =>
          item !== null && typeof item === 'object' && matchesFilter(filter.filter, item as Record<string, unknown>),
      );
    }
  }
}
