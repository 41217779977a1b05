import { describe, expect, it } from 'vitest';
import { redactUrlForLog } from './redact-url.js';

describe('redactUrlForLog', () => {
  it('hides credential query parameters and token-shaped text, keeps the rest', () => {
    expect(redactUrlForLog('/api/v1/me?access_token=abc123&page=2')).toBe('/api/v1/me?access_token=[redacted]&page=2');
    expect(redactUrlForLog('/api/v1/users?search=lk_AAAAAAAAAAAAAAAA')).toBe('/api/v1/users?search=lk_[redacted]');
    expect(redactUrlForLog('/api/v1/users?to%6Ben=x')).toBe('/api/v1/users?to%6Ben=[redacted]');
    expect(redactUrlForLog('/api/v1/users/42')).toBe('/api/v1/users/42');
  });

  it("hides an identity provider's answer: the OIDC code and state", () => {
    expect(redactUrlForLog('/api/v1/sso/oidc/callback?code=abc&state=def&iss=http%3A%2F%2Fidp')).toBe(
      '/api/v1/sso/oidc/callback?code=[redacted]&state=[redacted]&iss=http%3A%2F%2Fidp',
    );
  });
});
