/**
 * Deterministic variety: every attribute of row i is a hash of (i, attribute), so any part of the
 * seed can recompute another row's attributes (an event's account's email) without storing them.
 *
 * The attribute is a salt. Each generator keeps to its own range, so no two attributes of the seed
 * vary together by accident: accounts 1–17 (S in accounts.ts), records 101–110, tasks 201–214,
 * login history 301–306, audit events 401–411, MFA factors 501.
 */

export function hash32(i: number, salt: number): number {
  let x = (Math.imul(i, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
/** A number in [0, 1) for row i and attribute salt. */
export const unit = (i: number, salt: number) => hash32(i, salt) / 4294967296;
export const pick = <T>(list: readonly T[], i: number, salt: number): T =>
  list[Math.floor(unit(i, salt) * list.length)]!;
/** Picks by weight: [[value, weight], …]. */
export function weighted<T>(choices: readonly (readonly [T, number])[], i: number, salt: number): T {
  let r = unit(i, salt) * choices.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of choices) if ((r -= weight) < 0) return value;
  return choices[choices.length - 1]![0];
}
