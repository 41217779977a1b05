import type { Migration } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-user-list-sort-indexes.js';
import * as m0003 from './0003-log-indexes.js';
import * as m0004 from './0004-platform-data.js';
import * as m0005 from './0005-mfa.js';
import * as m0006 from './0006-passkeys.js';
import * as m0007 from './0007-sso.js';
import * as m0008 from './0008-actor-group-and-mfa-requirement.js';
import * as m0009 from './0009-installation-settings.js';
import * as m0010 from './0010-credential-change-signals.js';
import * as m0011 from './0011-users-list-indexes.js';
import * as m0012 from './0012-records-tasks-list-indexes.js';
import * as m0013 from './0013-log-indexes-and-retention.js';
import * as m0014 from './0014-users-mfa-status.js';
import * as m0015 from './0015-tasks-search-and-status-title.js';
import * as m0016 from './0016-row-counts.js';
import * as m0017 from './0017-session-details.js';
import * as m0022 from './0022-scim.js';
import * as m0023 from './0023-scim-groups.js';
import * as m0024 from './0024-email-outbox.js';
import * as m0025 from './0025-password-reset-links.js';
import * as m0026 from './0026-users-must-change-password-index.js';
import * as m0027 from './0027-audit-identity-provider.js';
import * as m0028 from './0028-credential-change-log.js';

/**
 * Every migration, in order. They are listed here (not discovered on disk) so the compiled build,
 * the CLI and the tests all run exactly the same set. Names never change once released.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-user-list-sort-indexes': m0002,
  '0003-log-indexes': m0003,
  '0004-platform-data': m0004,
  '0005-mfa': m0005,
  '0006-passkeys': m0006,
  '0007-sso': m0007,
  '0008-actor-group-and-mfa-requirement': m0008,
  '0009-installation-settings': m0009,
  '0010-credential-change-signals': m0010,
  '0011-users-list-indexes': m0011,
  '0012-records-tasks-list-indexes': m0012,
  '0013-log-indexes-and-retention': m0013,
  '0014-users-mfa-status': m0014,
  '0015-tasks-search-and-status-title': m0015,
  '0016-row-counts': m0016,
  '0017-session-details': m0017,
  '0022-scim': m0022,
  '0023-scim-groups': m0023,
  '0024-email-outbox': m0024,
  '0025-password-reset-links': m0025,
  '0026-users-must-change-password-index': m0026,
  '0027-audit-identity-provider': m0027,
  '0028-credential-change-log': m0028,
};
