import { Text } from '@mantine/core';
import { formatDate } from '../../format/date-time.js';
import type { DateTimePreferences } from '../../format/date-time.js';
import { countOf } from '../../format/count.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates are renewed weeks ahead; under this, the Administrator should act now. */
const SOON_DAYS = 30;

/**
 * When the IdP's signing certificate expires: red once expired (every SAML sign-in then fails),
 * orange under 30 days, otherwise plain.
 */
export function CertificateExpiry({
  expiresAt,
  subject,
  prefs,
  pending = false,
}: {
  expiresAt: string;
  subject?: string;
  prefs: DateTimePreferences;
  /** Read from an uploaded metadata file, not yet saved. */
  pending?: boolean;
}) {
  const expiry = new Date(expiresAt);
  if (Number.isNaN(expiry.getTime())) return null;
  const daysLeft = Math.floor((expiry.getTime() - Date.now()) / DAY_MS);
  const date = formatDate(expiry, prefs.dateFormat);
  const [color, words] =
    daysLeft < 0
      ? ['red', `Expired on ${date}: sign-ins through this provider fail until a new certificate is entered.`]
      : daysLeft < SOON_DAYS
        ? ['orange', `Expires on ${date} (in ${countOf(daysLeft, ['day', 'days'])}).`]
        : ['dimmed', `Expires on ${date}.`];
  return (
    <Text size="sm" c={color}>
      {subject ? `Certificate ${subject}. ` : pending ? 'The certificate from the metadata: ' : ''}
      {words}
    </Text>
  );
}
