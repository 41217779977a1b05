/**
 * The users list's first load carries only the Mantine styles its own components use
 * (mantine-first.css); everything else that may show Mantine components it does not use (any other
 * page, a dialog, the list's menus and filters, a notification) is fetched lazily, and waits with
 * this for the rest (mantine-later.css): `withLaterStyles(import('./x.js'))`. The sheet is fetched
 * once, alongside the first such module, so a page a visit starts on gains no round trip.
 */
let laterStyles: Promise<unknown> | undefined;

export function withLaterStyles<M>(module: Promise<M>): Promise<M> {
  laterStyles ??= import('./later-styles.js').catch((error: unknown) => {
    // A failed fetch (a dropped connection) is tried again with the next module.
    laterStyles = undefined;
    throw error;
  });
  return Promise.all([module, laterStyles]).then(([loaded]) => loaded);
}
