/**
 * Why the last session ended (Sign Out, or the code of the 401 that ended it), so the sign-in page
 * can say "You are signed out" or "Your session has ended" instead of nothing. The sign-in page
 * clears it once shown, so a later visit starts without a message.
 */
let reason: string | null = null;

/** The reason when the person pressed Sign Out (the others are the API's 401 error codes). */
export const SIGNED_OUT = 'signed_out';

export function rememberSessionEnd(code: string): void {
  reason = code;
}

export function sessionEndReason(): string | null {
  return reason;
}

export function clearSessionEndReason(): void {
  reason = null;
}
