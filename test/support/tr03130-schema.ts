/**
 * xmllint against the OASIS SAML 2.0 schemas (test/fixtures/saml-schemas) together with the TR-03130
 * schema the SOAP front uses (src/soap/schema/de). A generated wrapper imports the full SAML protocol
 * and assertion schemas first, then TR-03130: libxml2 then skips TR-03130's import of its SAML
 * stand-in (same namespace already loaded), so saml:Attribute / saml:EncryptedElementType are the
 * real OASIS declarations, and the eid: parts are checked strictly where SAML lets them in:
 * samlp:Extensions (##other, lax → eid:EncryptedAuthnRequestExtension is declared, so validated),
 * saml:AttributeValue xsi:type="eid:…" (the named TR-03130 type), and the eid:RequiredAttribute /
 * eid:AttributeNotOnChip global attributes (saml:Attribute's anyAttribute ##other, lax). xmllint
 * missing is an error, never a skip.
 *
 * @spec tr03130-1 §4 (SAML profile types); saml-core §3.2.1 (Extensions), §2.7.3.1 (Attribute)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const SAML_SCHEMAS = resolve('test/fixtures/saml-schemas');
export const TR03130_XSD = resolve('src/soap/schema/de/TR-03130eID-Server20.xsd');

const dir = mkdtempSync(join(tmpdir(), 'neid-tr03130-'));
const url = (p: string): string => pathToFileURL(p).href;

const WRAPPER = join(dir, 'saml-tr03130.xsd');
writeFileSync(WRAPPER, `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:neid:test:saml-tr03130">
  <xs:import namespace="urn:oasis:names:tc:SAML:2.0:protocol" schemaLocation="${url(join(SAML_SCHEMAS, 'saml-schema-protocol-2.0.xsd'))}"/>
  <xs:import namespace="urn:oasis:names:tc:SAML:2.0:assertion" schemaLocation="${url(join(SAML_SCHEMAS, 'saml-schema-assertion-2.0.xsd'))}"/>
  <xs:import namespace="http://bsi.bund.de/eID/" schemaLocation="${url(TR03130_XSD)}"/>
</xs:schema>
`);

export interface LintResult { rc: number; out: string }

/** Runs xmllint --schema <wrapper> on the XML; rc 0 = valid. Throws if xmllint is not installed. */
export function validateTr03130(xml: string, name: string): LintResult {
  const path = join(dir, name);
  writeFileSync(path, xml);
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', WRAPPER, path], { encoding: 'utf8', env: { ...process.env, XML_CATALOG_FILES: join(SAML_SCHEMAS, 'catalog.xml') } });
  if (r.error) throw new Error('xmllint is not installed or failed to start (see .ci/run)', { cause: r.error });
  return { rc: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}
