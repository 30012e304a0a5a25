/** Throw-away RSA-3072 certificates made by the openssl CLI (test-only, never committed), one per label per run. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Map<string, { key: string; cert: string }>();

/**
 * A self-signed certificate with CN=localhost (no subjectAltName: clients check the name through
 * `servername: 'localhost'`). Each label gets its own key pair; the default label is shared.
 */
export function testRsaCertificate(label = 'default'): { key: string; cert: string } {
  const cached = made.get(label);
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'neid-rsa-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:3072', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const pem = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  made.set(label, pem);
  return pem;
}
