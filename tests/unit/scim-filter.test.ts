/** SCIM filters and PATCH paths (sso/scim-filter.ts): the grammar of RFC 7644 §3.4.2.2 and what real clients send. */
import { describe, expect, it } from 'vitest';
import {
  matchesFilter,
  parseFilter,
  parsePatchPath,
  ScimFilterError,
  type Filter,
} from '../../src/server/sso/scim-filter.js';

const path = (attribute: string, subAttribute: string | null = null, schema: string | null = null) => ({
  schema,
  attribute,
  subAttribute,
});
const eq = (attribute: string, value: string | boolean | number | null, sub: string | null = null): Filter => ({
  kind: 'compare',
  path: path(attribute, sub),
  op: 'eq',
  value,
});

describe('parseFilter', () => {
  it('reads a comparison, with the operator in any case and JSON string escapes', () => {
    expect(parseFilter('userName eq "bjensen@example.com"')).toEqual(eq('userName', 'bjensen@example.com'));
    expect(parseFilter('userName EQ "a\\"b"')).toEqual(eq('userName', 'a"b'));
    expect(parseFilter('active eq true')).toEqual(eq('active', true));
    expect(parseFilter('active Eq False')).toEqual(eq('active', false));
    expect(parseFilter('externalId eq null')).toEqual(eq('externalId', null));
    expect(parseFilter('meta.version gt -1.5')).toMatchObject({ op: 'gt', value: -1.5 });
  });

  it('reads every operator and pr', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']) {
      expect(parseFilter(`title ${op} "x"`)).toMatchObject({ kind: 'compare', op });
    }
    expect(parseFilter('title pr')).toEqual({ kind: 'present', path: path('title') });
  });

  it('gives "and" precedence over "or", and honours parentheses and not', () => {
    expect(parseFilter('a eq "1" or b eq "2" and c eq "3"')).toEqual({
      kind: 'or',
      left: eq('a', '1'),
      right: { kind: 'and', left: eq('b', '2'), right: eq('c', '3') },
    });
    expect(parseFilter('(a eq "1" or b eq "2") and c eq "3"')).toEqual({
      kind: 'and',
      left: { kind: 'or', left: eq('a', '1'), right: eq('b', '2') },
      right: eq('c', '3'),
    });
    expect(parseFilter('not (a eq "1") AND b pr')).toEqual({
      kind: 'and',
      left: { kind: 'not', filter: eq('a', '1') },
      right: { kind: 'present', path: path('b') },
    });
  });

  it('reads dotted and URN-prefixed attribute paths', () => {
    expect(parseFilter('name.familyName co "O\'Malley"')).toMatchObject({ path: path('name', 'familyName') });
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toMatchObject({
      path: path('userName', null, 'urn:ietf:params:scim:schemas:core:2.0:user'),
      op: 'sw',
    });
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "Ada"')).toMatchObject({
      path: path('name', 'givenName', 'urn:ietf:params:scim:schemas:core:2.0:user'),
    });
  });

  it('reads value paths, and Entra ID’s value path followed by a sub-attribute comparison', () => {
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
      kind: 'valuePath',
      path: path('emails'),
      filter: { kind: 'and', left: eq('type', 'work'), right: { ...eq('value', '@example.com'), op: 'co' } },
    });
    expect(parseFilter('emails[type eq "work"].value eq "a@b.example"')).toEqual({
      kind: 'valuePath',
      path: path('emails'),
      filter: { kind: 'and', left: eq('type', 'work'), right: eq('value', 'a@b.example') },
    });
    expect(
      parseFilter('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")'),
    ).toMatchObject({
      kind: 'and',
    });
  });

  it('refuses what is not a filter, with the position', () => {
    const bad = [
      '',
      '   ',
      'userName',
      'userName eq',
      'userName eq bjensen',
      'userName equals "x"',
      'userName eq "x" and',
      '(userName eq "x"',
      'userName eq "x")',
      'userName eq "unterminated',
      'emails[type eq "work"',
      'emails[type[x eq "y"] eq "z"]',
      'a.b.c eq "x"',
      'urn:only: eq "x"',
      'user:name eq "x"',
      'userName eq "x" # comment',
      'not userName eq "x"',
      `${'('.repeat(30)}a eq "1"${')'.repeat(30)}`,
      'a eq "1" or '.repeat(200) + 'a eq "1"',
    ];
    for (const input of bad) expect(() => parseFilter(input), input).toThrow(ScimFilterError);
    expect(() => parseFilter('userName eq bjensen')).toThrow(/position 13/);
  });
});

describe('parsePatchPath', () => {
  it('reads attribute, sub-attribute, URN and value-filter paths', () => {
    expect(parsePatchPath('active')).toEqual({ path: path('active'), valueFilter: null });
    expect(parsePatchPath('name.givenName')).toEqual({ path: path('name', 'givenName'), valueFilter: null });
    expect(parsePatchPath('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName')).toEqual({
      path: path('name', 'familyName', 'urn:ietf:params:scim:schemas:core:2.0:user'),
      valueFilter: null,
    });
    expect(parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department')).toEqual({
      path: path('department', null, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user'),
      valueFilter: null,
    });
    expect(parsePatchPath('emails[type eq "work"].value')).toEqual({
      path: path('emails', 'value'),
      valueFilter: eq('type', 'work'),
    });
    expect(parsePatchPath('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toEqual({
      path: path('members'),
      valueFilter: eq('value', '2819c223-7f76-453a-919d-413861904646'),
    });
  });

  it('refuses broken paths', () => {
    for (const input of [
      '',
      'emails[type eq "work"',
      'emails[type eq "work"]value',
      'a.b.c',
      'emails[type eq]',
      'x y',
    ]) {
      expect(() => parsePatchPath(input), input).toThrow(ScimFilterError);
    }
  });
});

describe('matchesFilter', () => {
  const user = {
    userName: 'Ada@Example.com',
    active: true,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
    title: '',
  };
  it('compares strings in any case, booleans, presence, value paths', () => {
    expect(matchesFilter(parseFilter('username eq "ada@example.COM"'), user)).toBe(true);
    expect(matchesFilter(parseFilter('name.GIVENNAME sw "ad"'), user)).toBe(true);
    expect(matchesFilter(parseFilter('active eq false'), user)).toBe(false);
    expect(matchesFilter(parseFilter('title pr'), user)).toBe(false);
    expect(matchesFilter(parseFilter('not (title pr)'), user)).toBe(true);
    expect(matchesFilter(parseFilter('emails[type eq "work" and primary eq true]'), user)).toBe(true);
    expect(matchesFilter(parseFilter('emails[type eq "home"]'), user)).toBe(false);
    expect(matchesFilter(parseFilter('emails.value ew "example.com"'), user)).toBe(true);
    expect(matchesFilter(parseFilter('title eq null'), user)).toBe(true);
  });
});
