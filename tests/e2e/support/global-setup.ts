import { existsSync } from 'node:fs';

/** The tests run the built Latchkey: fail at once, with the fix, when it has not been built. */
export default function globalSetup(): void {
  for (const file of ['dist/server/main.js', 'dist/web/index.html']) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before \`npx playwright test\`.`);
  }
}
