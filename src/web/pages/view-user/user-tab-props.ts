import type { Me } from '../../../shared/schemas/session.js';
import type { User } from '../../../shared/schemas/users.js';

/** What every tab panel of the View User page is given (user-tabs.ts lists the panels). */
export interface UserTabProps {
  /** The account shown on the page. */
  user: User;
  /** The signed-in account looking at it. */
  me: Me;
}
