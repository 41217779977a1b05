import type { User } from '../../shared/schemas/users.js';

export const USER_TYPE_LABELS: Record<User['userType'], string> = { native: 'Native', sso: 'SSO' };
export const MFA_STATUS_LABELS: Record<User['mfaStatus'], string> = {
  on: 'On',
  pending: 'Pending',
  off: 'Off',
};
export const ACCOUNT_STATUS_LABELS: Record<User['accountStatus'], string> = {
  enabled: 'Enabled',
  disabled: 'Disabled',
};
export const THEME_LABELS: Record<User['theme'], string> = {
  light: 'Light',
  dark: 'Dark',
  system: 'Same as the system',
};
export const TIME_FORMAT_LABELS: Record<User['timeFormat'], string> = {
  '24-hour': '24-hour (14:30)',
  '12-hour': '12-hour (2:30 PM)',
};

export function fullName(user: Pick<User, 'firstName' | 'lastName'>): string {
  return `${user.firstName} ${user.lastName}`.trim();
}
