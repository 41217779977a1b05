/** Security groups as the API shows them (what the viewer may do: policies/security-groups.ts). */
import type { Actor } from '../auth/actor.js';
import { groupDecisions } from '../policies/security-groups.js';
import type { GroupWithMembers } from '../services/security-groups.js';
import type { SecurityGroup } from '../../shared/schemas/security-groups.js';

/** A security group as `viewer` sees it (`can`: what the viewer may do to it). */
export function presentGroup(group: GroupWithMembers, viewer: Actor): SecurityGroup {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    isSystem: group.is_system === 1,
    permissions: group.permissions,
    memberCount: group.member_count,
    identityProviderCount: group.provider_count,
    can: groupDecisions(viewer, group),
  };
}
