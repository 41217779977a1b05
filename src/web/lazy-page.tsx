import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, type ComponentType, type ReactElement } from 'react';
import { withLaterStyles } from './styles/with-later-styles.js';

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
 * Once its code has arrived (preloaded, for the page a visit starts on) the page renders at once:
 * through lazy() alone, its first render would suspend on an answered promise, commit the spinner,
 * and render the page in a second pass.
 *
 * A page waits for the rest of Mantine's styles too (styles/with-later-styles.ts), fetched alongside
 * it, unless `firstLoad`: the users list, whose components' styles are in the first load.
 */
export function lazyPage<M>(
  load: () => Promise<M>,
  pick: (module: M) => ComponentType,
  { firstLoad = false }: { firstLoad?: boolean } = {},
): LazyPage {
  let loaded: ComponentType | undefined;
  let loading: Promise<{ default: ComponentType }> | undefined;
  const preload = () => {
    loading ??= (firstLoad ? load() : withLaterStyles(load())).then(
      (module) => {
        loaded = pick(module);
        return { default: loaded };
      },
      (error: unknown) => {
        // A failed fetch (a dropped connection) may be retried on the next visit to the page.
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  const Lazy = lazy(preload);
  function Page() {
    const Loaded = loaded;
    return Loaded ? <Loaded /> : <Lazy />;
  }
  return {
    element: (
      <Suspense fallback={<PageLoading />}>
        <Page />
      </Suspense>
    ),
    preload,
  };
}
