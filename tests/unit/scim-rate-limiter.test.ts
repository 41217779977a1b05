import { describe, expect, it } from 'vitest';
import { ScimRateLimiter } from '../../src/server/sso/scim-tokens.js';

describe('ScimRateLimiter', () => {
  it('allows perMinute requests per key in a one-minute window, then says how long to wait', () => {
    const limiter = new ScimRateLimiter(2);
    expect(limiter.take('a', 0)).toBeNull();
    expect(limiter.take('a', 1_000)).toBeNull();
    expect(limiter.take('a', 30_000)).toBe(30);
    expect(limiter.take('b', 30_000)).toBeNull();
    expect(limiter.take('a', 60_000)).toBeNull();
  });

  it('never tracks more than 10,000 keys, and a flood of new keys keeps the newest windows', () => {
    const limiter = new ScimRateLimiter(1);
    limiter.take('old', 0);
    for (let i = 0; i < 25_000; i++) limiter.take(`flood-${i}`, 1_000);
    expect(limiter.size).toBeLessThanOrEqual(10_000);
    // The newest window is still counted: its second request is refused.
    expect(limiter.take('flood-24999', 2_000)).not.toBeNull();
  });

  it('drops windows that have ended before live ones', () => {
    const limiter = new ScimRateLimiter(1);
    for (let i = 0; i < 9_999; i++) limiter.take(`ended-${i}`, 0);
    limiter.take('live', 50_000);
    limiter.take('new', 70_000);
    expect(limiter.size).toBe(2);
    expect(limiter.take('live', 70_001)).not.toBeNull();
  });
});
