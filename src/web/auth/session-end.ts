/**
 * Why the last session ended (the code of the 401 that ended it), so the sign-in page can say
 * "Your session has ended" instead of nothing. Cleared when someone signs in again.
 */
let reason: string | null = null;

export function rememberSessionEnd(code: string): void {
  reason = code;
}

export function sessionEndReason(): string | null {
  return reason;
}

export function clearSessionEndReason(): void {
  reason = null;
}
