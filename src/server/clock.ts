/**
 * The one source of "now" on the server, so tests can move time (session expiry, lockouts)
 * without sleeping.
 */
let offsetMs = 0;

export function nowMs(): number {
  return Date.now() + offsetMs;
}

/** ISO-8601 UTC text: how every timestamp is stored. */
export function nowIso(): string {
  return new Date(nowMs()).toISOString();
}

export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** Tests only: shift the server clock forward or back. */
export function shiftClockForTests(deltaMs: number): void {
  offsetMs += deltaMs;
}

export function resetClockForTests(): void {
  offsetMs = 0;
}
