import { AppError } from '../app-error.js';
import { can, type Actor } from '../auth/actor.js';
import type { Permission } from '../../shared/permissions.js';
import { ERRORS, type ErrorCode } from '../../shared/errors.js';
import type { Decision } from '../../shared/schemas/decision.js';

export type { Decision };

export const ALLOWED: Decision = Object.freeze({ allowed: true });

/** A refusal with its code's standard message, or one that says more about this case. */
export function refused(code: ErrorCode, message: string = ERRORS[code].message): Decision {
  return { allowed: false, code, message };
}

/** Enforces a decision: a refusal is thrown as the API error it names, with the same message. */
export function assertAllowed(decision: Decision): void {
  if (!decision.allowed) throw new AppError(decision.code, decision.message);
}

/** Allowed when the actor's group holds `permission`; else the gate's own standard 403. */
export function holds(actor: Actor, permission: Permission): Decision {
  return can(actor, permission) ? ALLOWED : refused('forbidden');
}
