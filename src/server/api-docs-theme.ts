/**
 * Extra CSS for the API reference (Swagger UI at /api/docs), for WCAG AA: Swagger UI's own colours
 * put white text on light method badges (GET 2.6:1, POST 2.2:1, PATCH 1.6:1), green text on white
 * (Authorize, 2.2:1) and small grey text below 4.5:1. These are Latchkey's theme colours instead
 * (src/web/theme.ts), each at least 4.5:1. The top bar (Swagger's logo and an "Explore" box for
 * loading another URL) has an unlabelled input and an image without alt text, and nothing a
 * reader of this API needs: it is hidden.
 */
export const API_DOCS_CSS = `
.swagger-ui .topbar { display: none; }
.swagger-ui .info .title small { background: #5c636a; }
.swagger-ui .info .title small.version-stamp { background: #1f7032; }
.swagger-ui .info a, .swagger-ui .info .link, .swagger-ui .info .url { color: #1864ab; }
.swagger-ui .btn.authorize { color: #1f7032; border-color: #1f7032; }
.swagger-ui .btn.authorize svg { fill: #1f7032; }
.swagger-ui .opblock .opblock-summary-method { text-shadow: none; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1971c2; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1f7032; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #a33a0c; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #c92a2a; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #066649; }
.swagger-ui .opblock-summary-path a { display: inline-block; min-height: 24px; line-height: 24px; }
.swagger-ui :focus-visible { outline: 2px solid #1971c2; outline-offset: 2px; }
`;
