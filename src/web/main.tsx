// Only the Mantine styles the users list's first load uses; the rest comes later (styles/with-later-styles.ts).
import './styles/mantine-first.css';
import './global.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, visitStarted } from './app.js';

/**
 * The first render waits for what the start of the visit asked for (app.tsx: the page's code, the
 * session, the page's first data). Index.html and its `Link` header ask for them before the scripts,
 * so they have usually arrived by now and are only a few promise callbacks away; rendering before
 * them drew a spinner, then the frame around a spinner, then the page, each with its own render,
 * style, layout and paint (on a slow phone, half a second before the users list showed its rows).
 * For an answer that is slow to come, the app renders after a moment anyway and shows its spinner.
 */
const START_WAIT_MS = 300;

void Promise.race([visitStarted, new Promise((resolve) => setTimeout(resolve, START_WAIT_MS))]).then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
