/** An account's Password & Security tab as the API shows it (what the viewer may change: policies/account-security.ts). */
import type { Actor } from '../auth/actor.js';
import { mfaRequiredOfOwner, securityDecisions } from '../policies/account-security.js';
import type { SecurityTabFacts } from '../services/account-security.js';
import type { SecuritySettings } from '../../shared/schemas/security.js';

/** The token is shown masked, never itself (it exists only at the moment it is generated). */
export function presentSecuritySettings(facts: SecurityTabFacts, viewer: Actor): SecuritySettings {
  const { target, token } = facts;
  return {
    userId: target.id,
    email: target.email,
    securityGroup: { id: target.security_group_id, name: target.group_name, description: facts.groupDescription },
    accountStatus: target.status,
    apiToken: token
      ? {
          masked: token.masked,
          createdAt: token.created_at,
          lastUsedAt: token.last_used_at,
          lastUsedIp: token.last_used_ip,
        }
      : null,
    mfaEnrolled: target.mfa_enrolled === 1,
    mfaActive: facts.mfaActive,
    mfaRequiredByOther: mfaRequiredOfOwner(target),
    mustChangePassword: target.must_change_password === 1,
    can: securityDecisions(viewer, target, facts.groupPermissions),
  };
}
