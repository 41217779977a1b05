/**
 * A function that runs `load` on its first call only; every call gets that first promise. For
 * libraries loaded on first use instead of at start-up (`once(() => import('library'))`): each
 * later call then costs an already-resolved promise, not another module resolution.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
