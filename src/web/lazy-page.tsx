import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, type ComponentType, type ReactElement } from 'react';

/** A page whose code is its own chunk, fetched the first time the page is shown (or preloaded). */
export interface LazyPage {
  /** The page, with a loading state while its chunk arrives. */
  element: ReactElement;
  /** Starts fetching the chunk now (once); the router calls it for the page a visit starts on. */
  preload: () => Promise<unknown>;
}

/** What a page shows while its code is on the way: a spinner that screen readers announce. */
export function PageLoading() {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Loader size="sm" aria-label="Loading the page" />
    </Center>
  );
}

/**
 * `lazyPage(() => import('./pages/x.js'), (m) => m.XPage)`: the page's module (and whatever only it
 * imports) leaves the first load, which then carries only the app's frame and the page asked for.
 */
export function lazyPage<M>(load: () => Promise<M>, pick: (module: M) => ComponentType): LazyPage {
  let loading: Promise<{ default: ComponentType }> | undefined;
  const preload = () => {
    loading ??= load().then(
      (module) => ({ default: pick(module) }),
      (error: unknown) => {
        // A failed fetch (a dropped connection) may be retried on the next visit to the page.
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  const Page = lazy(preload);
  return {
    element: (
      <Suspense fallback={<PageLoading />}>
        <Page />
      </Suspense>
    ),
    preload,
  };
}
