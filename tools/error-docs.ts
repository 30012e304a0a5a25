/**
 * Renders docs/errors.md from the error catalog, so the document cannot drift from the code.
 * `npm run docs:errors` rewrites it; test/meta/errors-catalog.test.ts fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOG, ECARD_MINOR_PREFIX, EID_MINOR_PREFIX } from '../src/errors/index.js';

export function renderErrorDocs(): string {
  const rows = Object.entries(CATALOG)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, e]) => {
      const saml = e.saml === null ? '—' : e.saml.join(' / ');
      const cell = (v: string | null) => (v === null ? '—' : `\`${v}\``);
      return `| \`${code}\` | ${e.summary} | ${e.http} | ${saml} | ${cell(e.oidc)} | ${cell(e.ecardMinor)} | ${cell(e.eidMinor)} | ${e.expose ? 'yes' : 'no'} |`;
    });
  return [
    '# Error codes',
    '',
    'Generated from `src/errors/catalog.ts` by `npm run docs:errors`; do not edit by hand.',
    'Domain code throws `IdpError` with one of these codes; only the protocol adapters translate them.',
    '',
    `eCard ResultMinor values are relative to \`${ECARD_MINOR_PREFIX}\`; eID-Server ResultMinor values to \`${EID_MINOR_PREFIX}\`.`,
    '"exposed" tells whether the message text may be shown to the peer; otherwise a generic text is sent.',
    '',
    '| code | meaning | HTTP | SAML status | OIDC error | eCard ResultMinor | eID-Server ResultMinor | exposed |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorDocs());
}
