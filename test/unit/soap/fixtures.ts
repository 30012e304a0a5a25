/** Fixtures for the SOAP tests: throw-away RSA certificates (openssl CLI), a SOAP eService, xmllint validation. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chatForAttributes } from '../../../src/services/attribute-policy.js';
import type { ServiceRecord } from '../../../src/services/model.js';
import { EidSessions } from '../../../src/session/eid-session.js';
import { SealedBox } from '../../../src/session/sealed-box.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';
import type { EidInterfaceDeps } from '../../../src/soap/eid-interface.js';
import { SCHEMA_DIR } from '../../../src/soap/listener.js';

export interface Pem { key: string; cert: string }

const made = new Map<string, Pem>();
/** A self-signed RSA-2048 certificate with its own serial, cached per label for the run. */
export function rsaCert(label: string): Pem {
  const cached = made.get(label);
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'neid-soap-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2',
    '-subj', `/C=TW/O=Test ${label}/CN=localhost`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const pem = { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
  made.set(label, pem);
  return pem;
}

export function service(profile: 'tw' | 'de', overrides: Partial<ServiceRecord> = {}): ServiceRecord {
  const approved = profile === 'tw'
    ? ['ChineseName', 'RomanizedName', 'NationalIdNumber', 'DateOfBirth', 'HouseholdAddress', 'Photo', 'RestrictedID', 'AgeVerification', 'PlaceVerification', 'DocumentValidity']
    : ['DocumentType', 'IssuingState', 'DateOfExpiry', 'GivenNames', 'FamilyNames', 'DateOfBirth', 'PlaceOfBirth', 'PlaceOfResidence', 'CommunityID', 'RestrictedID', 'AgeVerification', 'PlaceVerification', 'DocumentValidity'];
  // Only the fields the eID-Interface reads; a full registry record is built in listener.test.ts.
  return { id: `svc-${profile}`, profile, approvedAttributes: approved, optionalAttributes: [], maxConcurrentSessions: 5, ipAllowList: ['127.0.0.1/32'],
    protocols: { soap: { clientCertificate: rsaCert('client').cert } }, state: 'active', ...overrides } as unknown as ServiceRecord;
}

export function deps(overrides: Partial<EidInterfaceDeps> = {}): EidInterfaceDeps & { sessions: EidSessions } {
  const store = createMemoryStore();
  const sessions = new EidSessions({ store, box: new SealedBox(randomBytes(32)), timeouts: {
    lifetimeMs: 60_000, tcTokenTimeoutMs: 30_000, handshakeTimeoutMs: 30_000, paosStepTimeoutMs: 30_000, resultTimeoutMs: 30_000, tlsSessionTtlMs: 30_000,
  } });
  return {
    sessions, signer: rsaCert('server'), replayStore: store, eCardServerAddress: 'https://eid.example.test:3443/paos',
    // The terminal certificate grants exactly what MOI approved (attribute-policy terminalChatOf).
    terminalChat: async (s) => chatForAttributes(s.profile, s.approvedAttributes),
    ...overrides,
  } as EidInterfaceDeps & { sessions: EidSessions };
}

/** Validates an element (serialised) against the profile's published XSD with xmllint; fails when xmllint is missing. */
export function xmllint(profile: 'tw' | 'de', xml: string): void {
  const probe = spawnSync('xmllint', ['--version']);
  if (probe.error) throw new Error('xmllint is required (Debian package libxml2-utils; .ci/run installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'neid-xsd-'));
  const file = join(dir, 'doc.xml');
  writeFileSync(file, xml);
  const xsd = profile === 'de' ? join(SCHEMA_DIR, 'de', 'TR-03130eID-Server20.xsd') : join(SCHEMA_DIR, 'tw', 'neid-tw-eID.xsd');
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`schema validation failed:\n${r.stderr}\n${xml}`);
}
