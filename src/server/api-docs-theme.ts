/**
 * The API reference (Swagger UI at /api/docs) in Latchkey's clothes: its name in the tab, its mark
 * as the icon, a header with the mark, the name and a "Back to Latchkey" link, Latchkey's blue for
 * links, buttons and GET, and the system font the app uses; in both of Swagger UI's schemes (it
 * follows the system's: `html.dark-mode`), each at least 4.5:1.
 *
 * For WCAG AA: Swagger UI's own colours put white text on light method badges (GET 2.6:1, POST
 * 2.2:1, PATCH 1.6:1), green text on white (Authorize, 2.2:1) and small grey text below 4.5:1.
 * These are Latchkey's theme colours instead (src/web/theme.ts), each at least 4.5:1. The top bar
 * (Swagger's logo and an "Explore" box for loading another URL) has an unlabelled input and an
 * image without alt text, and nothing a reader of this API needs: it is hidden, and our header
 * (API_DOCS_JS, a file script: the page's CSP runs no inline script) takes its place.
 */

/** Latchkey's mark (src/web/components/latchkey-logo.tsx), in the theme's filled blue. */
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28" viewBox="0 0 32 32" aria-hidden="true" focusable="false">' +
  '<rect width="32" height="32" rx="7" fill="#1971c2"/>' +
  '<circle cx="16" cy="13" r="5.5" fill="none" stroke="#fff" stroke-width="2.5"/>' +
  '<path d="M16 18.5V26m0-3.5h3.5M16 25h2.5" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/></svg>';

export const API_DOCS_TITLE = 'API reference · Latchkey';
export const API_DOCS_FAVICON = LOGO_SVG.replace(' aria-hidden="true" focusable="false"', '');

const FONT =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif';

export const API_DOCS_CSS = `
body { margin: 0; }
.swagger-ui, .swagger-ui .info .title, .swagger-ui .opblock-tag, .swagger-ui .opblock .opblock-summary-description,
.swagger-ui .btn, .swagger-ui select, .swagger-ui input, .swagger-ui textarea, .swagger-ui table, .swagger-ui .parameter__name,
.swagger-ui .tab li, .swagger-ui .response-col_status, .swagger-ui .model-title, .swagger-ui section.models h4 { font-family: ${FONT}; }
.latchkey-docs-header { display: flex; align-items: center; gap: 16px; min-height: 60px; padding: 0 20px;
  border-bottom: 1px solid #dee2e6; background: #fff; font-family: ${FONT}; color: #212529; }
.latchkey-docs-home { display: inline-flex; align-items: center; gap: 8px; color: inherit; text-decoration: none;
  font-size: 18px; font-weight: 700; border-radius: 4px; }
.latchkey-docs-section { margin: 0; color: #5c636a; font-size: 16px; font-weight: 400; }
.latchkey-docs-back { margin-left: auto; color: #1971c2; font-size: 14px; font-weight: 500; text-decoration: underline;
  padding: 6px 0; border-radius: 4px; }
.latchkey-docs-back:hover { color: #1864ab; }
.latchkey-docs-header a:focus-visible { outline: 2px solid #1971c2; outline-offset: 2px; }
.swagger-ui .topbar { display: none; }
.swagger-ui .info .title small { background: #5c636a; }
.swagger-ui .info .title small.version-stamp { background: #1f7032; }
.swagger-ui .info a, .swagger-ui .info .link, .swagger-ui .info .url { color: #1864ab; }
.swagger-ui .btn.authorize { color: #1971c2; border-color: #1971c2; }
.swagger-ui .btn.authorize svg, .swagger-ui .btn.authorize svg path { fill: #1971c2; }
.swagger-ui .markdown code, .swagger-ui .renderedMarkdown code { color: #1864ab; }
.swagger-ui .btn.execute { background-color: #1971c2; border-color: #1971c2; }
.swagger-ui .opblock .opblock-summary-method { text-shadow: none; border-radius: 4px; }
.swagger-ui .opblock.opblock-get { border-color: #1971c2; background: rgba(25, 113, 194, 0.06); }
.swagger-ui .opblock.opblock-get .opblock-summary { border-color: #1971c2; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1971c2 !important; color: #fff !important; }
.swagger-ui .opblock.opblock-post { border-color: #1f7032; background: rgba(31, 112, 50, 0.06); }
.swagger-ui .opblock.opblock-post .opblock-summary { border-color: #1f7032; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1f7032 !important; color: #fff !important; }
.swagger-ui .opblock.opblock-put { border-color: #a33a0c; background: rgba(163, 58, 12, 0.06); }
.swagger-ui .opblock.opblock-put .opblock-summary { border-color: #a33a0c; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #a33a0c !important; color: #fff !important; }
.swagger-ui .opblock.opblock-delete { border-color: #c92a2a; background: rgba(201, 42, 42, 0.06); }
.swagger-ui .opblock.opblock-delete .opblock-summary { border-color: #c92a2a; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #c92a2a !important; color: #fff !important; }
.swagger-ui .opblock.opblock-patch { border-color: #066649; background: rgba(6, 102, 73, 0.06); }
.swagger-ui .opblock.opblock-patch .opblock-summary { border-color: #066649; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #066649 !important; color: #fff !important; }
.swagger-ui :focus-visible { outline: 2px solid #1971c2; outline-offset: 2px; }
html.dark-mode .latchkey-docs-header { background: #242424; border-color: #424242; color: #c9c9c9; }
html.dark-mode .latchkey-docs-section { color: #a3a3a3; }
html.dark-mode .latchkey-docs-back, html.dark-mode .swagger-ui .info a, html.dark-mode .swagger-ui .info .url { color: #74c0fc; }
html.dark-mode .latchkey-docs-header a:focus-visible, html.dark-mode .swagger-ui :focus-visible { outline-color: #74c0fc; }
html.dark-mode .swagger-ui .btn.authorize { color: #74c0fc !important; border-color: #74c0fc !important; }
html.dark-mode .swagger-ui .btn.authorize svg, html.dark-mode .swagger-ui .btn.authorize svg path { fill: #74c0fc; }
html.dark-mode .swagger-ui .markdown code, html.dark-mode .swagger-ui .renderedMarkdown code { color: #a5d8ff; }
`;

/**
 * Runs after Swagger UI's scripts (a file, for the CSP): puts Latchkey's header above the
 * reference and marks the reference as the page's main content.
 */
export const API_DOCS_JS = `(function () {
  var root = document.getElementById('swagger-ui');
  if (!root || document.querySelector('.latchkey-docs-header')) return;
  root.setAttribute('role', 'main');
  var header = document.createElement('header');
  header.className = 'latchkey-docs-header';
  header.innerHTML =
    '<a class="latchkey-docs-home" href="/">' + ${JSON.stringify(LOGO_SVG)} + '<span>Latchkey</span></a>' +
    '<h1 class="latchkey-docs-section">API reference</h1>' +
    '<a class="latchkey-docs-back" href="/">Back to Latchkey</a>';
  document.body.insertBefore(header, root);
})();
`;
