import { describeTotal, formatCount, type Total } from '../../shared/paging.js';

/** A noun's two forms, as a count needs them: ['account', 'accounts'], ['sign-in attempt', 'sign-in attempts']. */
export type Noun = readonly [singular: string, plural: string];

/**
 * The form of `noun` that goes with `count`: singular for exactly one, plural for anything else
 * (none, several, and "more than 5,000", which is never one). Every count the UI words goes
 * through here or countOf / describeCount, so none says "1 events" or "2 account".
 */
export function nounFor(count: number, noun: Noun, exact = true): string {
  return exact && count === 1 ? noun[0] : noun[1];
}

/** "1 account", "3 accounts", "1,234 accounts". */
export function countOf(count: number, noun: Noun): string {
  return `${formatCount(count)} ${nounFor(count, noun)}`;
}

/** A list's total in words: "1 account", "31 accounts", "more than 5,000 accounts". */
export function describeCount(total: Total, noun: Noun): string {
  return `${describeTotal(total)} ${nounFor(total.count, noun, total.exact)}`;
}
