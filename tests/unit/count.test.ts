import { describe, expect, it } from 'vitest';
import { formatCount } from '../../src/shared/paging.js';
import { countOf, describeCount, nounFor } from '../../src/web/format/count.js';

const EVENT = ['event', 'events'] as const;

describe('counts in words', () => {
  it('uses the singular for exactly one and the plural for none, several and a lower bound', () => {
    expect(countOf(1, EVENT)).toBe('1 event');
    expect(countOf(0, EVENT)).toBe('0 events');
    expect(countOf(2, EVENT)).toBe('2 events');
    expect(countOf(1234, EVENT)).toBe('1,234 events');
    expect(describeCount({ count: 1, exact: true }, EVENT)).toBe('1 event');
    expect(describeCount({ count: 31, exact: true }, EVENT)).toBe('31 events');
    expect(describeCount({ count: 5000, exact: false }, EVENT)).toBe('more than 5,000 events');
    // "More than 1" is never one.
    expect(nounFor(1, EVENT, false)).toBe('events');
  });

  it('agrees a verb with its count when the forms carry one', () => {
    expect(countOf(1, ['session was', 'sessions were'])).toBe('1 session was');
    expect(countOf(3, ['session was', 'sessions were'])).toBe('3 sessions were');
  });

  it('groups thousands as en-US does', () => {
    for (const n of [
      0,
      7,
      999,
      1000,
      12_345,
      999_999,
      1_000_000,
      1_234_567_890,
      Number.MAX_SAFE_INTEGER,
      -1,
      -1234,
      -999_999,
    ]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});
