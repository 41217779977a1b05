/**
 * The tabs of the View User page, in order. To add a tab (Password & Security next), write its
 * panel in its own file in this folder and add one entry here; the page does the rest (tab list,
 * `?tab=` in the address, hiding tabs that do not apply).
 */
import type { ComponentType } from 'react';
import { AccountSettingsTab } from './account-settings-tab.js';
import { PasswordSecurityTab } from './password-security-tab.js';
import { SessionsTab } from './sessions-tab.js';
import { can } from '../../auth/abilities.js';
import type { UserTabProps } from './user-tab-props.js';

export interface UserTab {
  /** In the address: /users/:id?tab=<value>. */
  value: string;
  label: string;
  /** Whether the tab applies to this account for this viewer (from data and abilities only; the server decides). */
  isVisible: (props: UserTabProps) => boolean;
  Panel: ComponentType<UserTabProps>;
}

export const USER_TABS: readonly UserTab[] = [
  { value: 'account-settings', label: 'Account Settings', isVisible: () => true, Panel: AccountSettingsTab },
  // The seed article: "The Password & Security tab is not visible to SSO users" (the server refuses it too).
  {
    value: 'password-security',
    label: 'Password & Security',
    isVisible: ({ user }) => user.userType !== 'sso',
    Panel: PasswordSecurityTab,
  },
  // Your own sessions always; another account's for holders of Users & Groups Update (the
  // route's gate). Whether each may be signed out is the server's `can.signOut`.
  {
    value: 'sessions',
    label: 'Sessions',
    isVisible: ({ user, me }) => user.id === me.user.id || can(me, 'users_groups:update'),
    Panel: SessionsTab,
  },
];
