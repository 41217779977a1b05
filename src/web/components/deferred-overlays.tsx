import { useEffect, useRef, useSyncExternalStore, type KeyboardEvent, type RefObject } from 'react';
import { withLaterStyles } from '../styles/with-later-styles.js';

/**
 * The users list's filters, Columns and Export menus, rows-per-page choice and Delete User's tooltip
 * float over the page (dropdowns, popovers, a tooltip): their code is not needed to show the rows
 * (it comes in the `later` chunk, 46 KB gzipped with Floating UI, which positions them, and what
 * else four or more pages share that the list's first load does not import: vite.config.ts; and
 * with the rest of Mantine's styles, styles/with-later-styles.ts). Until it has arrived each shows
 * a stand-in that looks and is labelled the same. It is fetched when the browser is idle after the
 * first rows (loadOverlaysWhenIdle, from DataTable) or as soon as a person points at, focuses or
 * uses a stand-in; then the real control takes the stand-in's place, with its focus, and is clicked
 * or sent the key if the stand-in was.
 */
type Overlays = typeof import('./overlays.js');

let overlays: Overlays | undefined;
let loading: Promise<Overlays> | undefined;
/** What had the focus when the overlays arrived: a stand-in there hands the focus to its control. */
let focusedOnArrival: Element | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Fetches the overlay components (once; a failed fetch is tried again on the next call). */
export function loadOverlays(): Promise<Overlays> {
  loading ??= withLaterStyles(import('./overlays.js')).then(
    (module) => {
      focusedOnArrival = document.activeElement;
      overlays = module;
      for (const listener of listeners) listener();
      return module;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

const fetchOverlays = () => void loadOverlays().catch(() => {});

/** Fetches the overlay components once the browser has nothing more urgent to do. */
export function loadOverlaysWhenIdle(): void {
  if (loading) return;
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fetchOverlays, { timeout: 3000 });
  else setTimeout(fetchOverlays, 500);
}

/** The props that make an element a stand-in (spread on its focusable element). */
export interface StandInProps<S extends HTMLElement> {
  ref: (element: S | null) => void;
  onPointerEnter: () => void;
  onFocus: () => void;
  onClick: () => void;
  onKeyDown: (event: KeyboardEvent) => void;
}

export interface DeferredOverlays<T extends HTMLElement, S extends HTMLElement> {
  /** The overlay components, or undefined while the stand-in shows. */
  overlays: Overlays | undefined;
  standIn: StandInProps<S>;
  /** On the real control's focusable element: it takes over the stand-in's focus, click or key. */
  controlRef: RefObject<T | null>;
}

/** What a person did to a stand-in, done again to the real control once it is there. */
type Replay = { kind: 'click' } | { kind: 'key'; key: string; code: string };

/**
 * The overlay components for one control, with its stand-in's wiring until they arrive. A click on
 * the stand-in, or one of `replayedKeys` pressed on it, is done again to the real control as it
 * arrives (a real click or keydown event, so the control opens as it always does: a select with
 * its chosen option active), after the focus has moved there if the stand-in had it.
 */
export function useDeferredOverlays<T extends HTMLElement = HTMLElement, S extends HTMLElement = HTMLElement>(
  replayedKeys: ReadonlySet<string> = new Set(),
): DeferredOverlays<T, S> {
  const loaded = useSyncExternalStore(subscribe, () => overlays);
  // The stand-in element last shown (kept after it leaves the page, to compare with the focus).
  const standInElement = useRef<S | null>(null);
  const replay = useRef<Replay | null>(null);
  const controlRef = useRef<T | null>(null);
  // An effect, not a layout effect: it runs after the control's own effects (Mantine's select sets
  // up its list of options in one), so the control handles the click or key as it always does.
  useEffect(() => {
    const control = controlRef.current;
    const standIn = standInElement.current;
    if (!loaded || !control || !standIn) return;
    standInElement.current = null;
    if (standIn === focusedOnArrival) control.focus();
    const wanted = replay.current;
    replay.current = null;
    if (wanted?.kind === 'click') control.click();
    else if (wanted)
      control.dispatchEvent(new KeyboardEvent('keydown', { key: wanted.key, code: wanted.code, bubbles: true }));
  }, [loaded]);
  return {
    overlays: loaded,
    standIn: {
      ref: (element) => {
        if (element) standInElement.current = element;
      },
      onPointerEnter: fetchOverlays,
      onFocus: fetchOverlays,
      onClick: () => {
        replay.current = { kind: 'click' };
        fetchOverlays();
      },
      onKeyDown: (event) => {
        if (!replayedKeys.has(event.key)) return;
        event.preventDefault();
        replay.current = { kind: 'key', key: event.key, code: event.code };
        fetchOverlays();
      },
    },
    controlRef,
  };
}
