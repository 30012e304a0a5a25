#!/usr/bin/env node
// Entry of the `neid` CLI. Runs the compiled build when present (production images),
// else the TypeScript sources through tsx (fresh clone: `npm ci && npm start`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/src/cli/main.js`;
if (existsSync(built) && process.env.NEID_FROM_SOURCE !== '1') {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(`${root}src/cli/main.ts`).href);
}
