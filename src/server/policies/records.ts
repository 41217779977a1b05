/**
 * Who may do what to data records: pure functions of the actor. Records have no owner-based rules;
 * what needs saying once is that REMOVING data (a property, the owner, the records a "replace"
 * import leaves out) needs the Delete permission as well as Update, so a group without Delete,
 * such as Regular User (No Delete), cannot empty a record bit by bit. The record services enforce
 * these decisions; the presenters send them as `can`.
 */
import { can, type Actor } from '../auth/actor.js';
import type { ImportMode, RecordAbilities, RecordListAbilities } from '../../shared/schemas/records.js';
import { ALLOWED, holds, refused, type Decision } from './decision.js';

/** Taking data out of a record while changing it: Update, and Delete for what goes. */
export function removeRecordDataDecision(actor: Actor): Decision {
  if (!can(actor, 'records:update')) return refused('forbidden');
  return can(actor, 'records:delete') ? ALLOWED : refused('delete_permission_required');
}

/**
 * An import in `mode` (Import, as the route's gate says): "add" only creates; "upsert" changes
 * existing records (Update); "replace" also deletes the records the file leaves out (Delete).
 */
export function importModeDecision(actor: Actor, mode: ImportMode): Decision {
  if (!can(actor, 'records:import')) return refused('forbidden');
  if (mode === 'add') return ALLOWED;
  if (!can(actor, 'records:update'))
    return refused(
      'forbidden',
      `The "${mode}" mode changes existing records, which needs the Update permission for data records. Use "add" to import new records only.`,
    );
  return mode === 'replace' ? removeRecordDataDecision(actor) : ALLOWED;
}

/** THE statement of what `actor` may do to a record (each record's `can`). */
export function recordDecisions(actor: Actor): RecordAbilities {
  return {
    update: holds(actor, 'records:update'),
    removeData: removeRecordDataDecision(actor),
    delete: holds(actor, 'records:delete'),
  };
}

/** What `actor` may do to the list as a whole (the list's `can`): each import mode. */
export function recordListDecisions(actor: Actor): RecordListAbilities {
  return {
    import: {
      add: importModeDecision(actor, 'add'),
      upsert: importModeDecision(actor, 'upsert'),
      replace: importModeDecision(actor, 'replace'),
    },
  };
}
