/**
 * ServiceTerminalProvider over the registry: terminal certificate + key, chain pool from the registry
 * and the PKI directory, CertificateDescription, sector key, passive-authentication trust store,
 * block list; a real EAC with a software card runs on what it builds. Refusals carry their codes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { AtRight } from '../../../src/eid/eac/cvc/chat.js';
import { eacConfigForRequest } from '../../../src/eid/flow/terminal-config.js';
import { createServiceTerminals, descriptionPathOf } from '../../../src/eid/terminals.js';
import { toPem } from '../../../src/pki/certificate.js';
import { ServiceRegistry } from '../../../src/services/registry.js';
import type { EidRequest } from '../../../src/session/eid-session-model.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';
import { createWorld, issue, load, runEac, terminal } from '../../support/eac-world.js';
import type { World } from '../../support/eac-world.js';

const RIGHTS: AtRight[] = ['RESTRICTED_IDENTIFICATION', 'READ_DG4', 'READ_DG8'];
const REQUEST: EidRequest = { profile: 'tw', front: 'soap', required: ['ChineseName', 'RestrictedID'], optional: ['DateOfBirth'] };

describe('eid/terminals: ServiceTerminalProvider over the registry', function () {
  this.timeout(30_000);
  let world: World;
  let dir: string;
  let pkiDir: string;
  let registry: ServiceRegistry;
  const base = parse(readFileSync('config/services/demo-soap.yaml', 'utf8')) as Record<string, unknown>;

  /** Writes a terminal for `id` under dir/terminals/<id>/ and registers an eService pointing at it. */
  async function register(id: string, o: { keyRef?: string; state?: string; withSector?: boolean } = {}) {
    const term = terminal(world, { rights: RIGHTS, sectors: [{ curve: world.curve, point: world.sectors[0].publicPoint }] });
    const tdir = join(dir, 'terminals', id);
    mkdirSync(tdir, { recursive: true });
    writeFileSync(join(tdir, 'terminal.cvcert'), term.certificate);
    writeFileSync(join(tdir, 'terminal.key.pem'), term.keyPair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(descriptionPathOf(join(tdir, 'terminal.cvcert')), term.description!);
    await registry.create({
      ...base, id, state: o.state ?? 'active',
      approvedAttributes: ['ChineseName', 'DateOfBirth', 'RestrictedID'], optionalAttributes: ['DateOfBirth'],
      riSector: { id: 'tw.test.sector', publicKey: 'dev:sectors/tw.test.sector.pub.pem' },
      terminal: { certificate: `dev:terminals/${id}/terminal.cvcert`, key: o.keyRef ?? `dev:terminals/${id}/terminal.key.pem`, chain: ['dev:dv.cvcert'] },
    } as never, { by: 'test', declarative: true });
    return term;
  }

  const terminals = (pki = pkiDir) => createServiceTerminals({
    registry, pkiDir: pki, clock: world.clock, resolvePath: (r) => (r.startsWith('dev:') ? join(dir, r.slice(4)) : r),
  });

  before(() => {
    world = createWorld();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neid-terminals-'));
    pkiDir = join(dir, 'pki');
    mkdirSync(join(pkiDir, 'csca'), { recursive: true });
    mkdirSync(join(pkiDir, 'crl'), { recursive: true });
    writeFileSync(join(pkiDir, 'csca', 'csca.pem'), toPem(world.x509.csca.certificate.der, 'CERTIFICATE'));
    writeFileSync(join(pkiDir, 'crl', 'csca.crl'), world.x509.crl);
    writeFileSync(join(dir, 'dv.cvcert'), world.dv.certificate);
    mkdirSync(join(dir, 'sectors'));
    writeFileSync(join(dir, 'sectors', 'tw.test.sector.pub.pem'), world.sectors[0].publicKey.export({ format: 'pem', type: 'spki' }));
    registry = new ServiceRegistry(createMemoryStore());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the terminal of an eService and a complete EAC with a software card runs on it', async () => {
    const term = await register('svc-a');
    const t = await terminals().provider('svc-a');
    assert.ok(t.terminalCertificate.equals(term.certificate));
    assert.deepEqual(t.certificates.map((c) => c.toString('hex')), [world.dv.certificate.toString('hex')]);
    assert.ok(t.certificateDescription?.equals(term.description!));
    assert.deepEqual(t.sectorPublicKeys?.map((k) => k.point.toString('hex')), [world.sectors[0].publicPoint.toString('hex')]);
    assert.equal(t.profile.id, 'tw');
    assert.equal(t.isBlocked, undefined, 'no block list: nothing is blocked');
    const run = await runEac(load(issue(world)), eacConfigForRequest(t, REQUEST));
    assert.equal(run.result.documentValidity, 'valid');
    assert.equal(run.result.restrictedIds?.length, 1);
    assert.ok(Object.values(run.result.dataGroups).some((v) => v.attribute === 'ChineseName'));
  });

  it('passive authentication uses the PKI directory: a card signed by the revoked document signer is not valid', async () => {
    await register('svc-a');
    const t = await terminals().provider('svc-a');
    const run = await runEac(load(issue(world, { documentSigner: world.x509.revokedDocumentSigner })), eacConfigForRequest(t, REQUEST)).catch((err: unknown) => err);
    const validity = (run as { result?: { documentValidity?: string } }).result?.documentValidity;
    assert.notEqual(validity, 'valid');
  });

  it('link and DV certificates in <pkiDir>/cvc join the pool', async () => {
    await register('svc-a');
    mkdirSync(join(pkiDir, 'cvc'));
    writeFileSync(join(pkiDir, 'cvc', 'cvca.cvcert'), world.cvca.certificate);
    writeFileSync(join(pkiDir, 'cvc', 'dv.cvcert'), world.dv.certificate);
    const t = await terminals().provider('svc-a');
    assert.equal(t.certificates.length, 2, 'the DV from the registry chain and the pool is counted once');
  });

  it('the sector block list marks a card blocked', async () => {
    await register('svc-a');
    const id = 'ab'.repeat(32);
    mkdirSync(join(pkiDir, 'blocklist'));
    writeFileSync(join(pkiDir, 'blocklist', 'tw.test.sector.txt'), `# blocked\n${id.toUpperCase()}\n`);
    const t = await terminals().provider('svc-a');
    assert.equal(await t.isBlocked?.([Buffer.from(id, 'hex')]), true);
    assert.equal(await t.isBlocked?.([Buffer.from('cd'.repeat(32), 'hex')]), false);
  });

  it('caches per process and rebuilds when a file changes', async () => {
    await register('svc-a');
    const ts = terminals();
    const first = await ts.provider('svc-a');
    assert.equal(await ts.provider('svc-a'), first);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'dv.cvcert'), later, later);
    assert.notEqual(await ts.provider('svc-a'), first);
  });

  it('terminalChat reads the CHAT of the terminal certificate', async () => {
    const term = await register('svc-a');
    const record = await registry.get('svc-a');
    assert.equal((await terminals().terminalChat(record))?.rights, term.parsed.chat.rights);
    assert.equal(await terminals().terminalChat({ id: 'x', terminal: undefined }), null);
  });

  describe('refusals', () => {
    it('pkcs11: key reference → TERMINAL_KEY_REFERENCE_UNSUPPORTED', async () => {
      await register('svc-a', { keyRef: 'pkcs11:token=eid;object=demo;type=private' });
      await assert.rejects(terminals().provider('svc-a'), { code: 'TERMINAL_KEY_REFERENCE_UNSUPPORTED' });
    });

    it('a key that does not belong to the certificate → TERMINAL_MATERIAL_INVALID', async () => {
      await register('svc-a');
      const other = terminal(world, { rights: RIGHTS });
      writeFileSync(join(dir, 'terminals', 'svc-a', 'terminal.key.pem'), other.keyPair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
      await assert.rejects(terminals().provider('svc-a'), { code: 'TERMINAL_MATERIAL_INVALID', message: /does not match/ });
    });

    it('a missing or malformed terminal certificate → TERMINAL_MATERIAL_INVALID', async () => {
      await register('svc-a');
      writeFileSync(join(dir, 'terminals', 'svc-a', 'terminal.cvcert'), Buffer.from([0x7f, 0x21, 0x05, 0x00]));
      await assert.rejects(terminals().provider('svc-a'), { code: 'TERMINAL_MATERIAL_INVALID', message: /not a CV certificate/ });
      rmSync(join(dir, 'terminals', 'svc-a', 'terminal.cvcert'));
      await assert.rejects(terminals().provider('svc-a'), { code: 'TERMINAL_MATERIAL_INVALID', message: /cannot read/ });
    });

    it('a description that does not match id-description → TERMINAL_MATERIAL_INVALID', async () => {
      await register('svc-a');
      const path = descriptionPathOf(join(dir, 'terminals', 'svc-a', 'terminal.cvcert'));
      const tampered = Buffer.from(readFileSync(path));
      tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
      writeFileSync(path, tampered);
      await assert.rejects(terminals().provider('svc-a'), { code: 'TERMINAL_MATERIAL_INVALID', message: /id-description/ });
    });

    it('a sector key that is not an EC public key → TERMINAL_MATERIAL_INVALID', async () => {
      await register('svc-a');
      writeFileSync(join(dir, 'sectors', 'tw.test.sector.pub.pem'), 'not a key');
      await assert.rejects(terminals().provider('svc-a'), { code: 'TERMINAL_MATERIAL_INVALID', message: /riSector/ });
    });

    it('no CSCA in the PKI directory → TERMINAL_TRUST_STORE_INVALID', async () => {
      await register('svc-a');
      rmSync(join(pkiDir, 'csca'), { recursive: true });
      await assert.rejects(terminals().provider('svc-a'), { code: 'TERMINAL_TRUST_STORE_INVALID', message: /no CSCA/ });
    });

    it('a CRL no CSCA signed, a malformed block list → TERMINAL_TRUST_STORE_INVALID', async () => {
      await register('svc-a');
      const foreign = createWorld();
      writeFileSync(join(pkiDir, 'crl', 'foreign.crl'), foreign.x509.crl);
      await assert.rejects(terminals().provider('svc-a'), { code: 'TERMINAL_TRUST_STORE_INVALID', message: /foreign\.crl/ });
      rmSync(join(pkiDir, 'crl', 'foreign.crl'));
      mkdirSync(join(pkiDir, 'blocklist'));
      writeFileSync(join(pkiDir, 'blocklist', 'tw.test.sector.txt'), 'zz\n');
      await assert.rejects(terminals().provider('svc-a'), { code: 'TERMINAL_TRUST_STORE_INVALID', message: /:1: expected/ });
    });

    it('an unknown or suspended eService → registry codes', async () => {
      await register('svc-b', { state: 'suspended' });
      await assert.rejects(terminals().provider('svc-b'), { code: 'REGISTRY_SERVICE_INACTIVE' });
      await assert.rejects(terminals().provider('nope'), { code: 'REGISTRY_SERVICE_NOT_FOUND' });
    });
  });
});
