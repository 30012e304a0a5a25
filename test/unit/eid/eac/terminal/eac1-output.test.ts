import assert from 'node:assert/strict';
import { handleEac1Output, startEac } from '../../../../../src/eid/eac/terminal/index.js';
import { fromHex } from '../../../../../src/shared/bytes.js';
import { createWorld, issue, load, terminal, terminalConfig } from '../../../../support/eac-world.js';

describe('eid/eac/terminal: EAC1OutputType without CertificationAuthorityReference', () => {
  it('takes the top of the EAC1 chain as the trust point and sends no certificates in EAC2 (the client has them)', async () => {
    const world = createWorld();
    const term = terminal(world, { rights: ['READ_DG4'] });
    const config = terminalConfig(world, term, { required: ['READ_DG4'], sectors: null });
    const start = startEac(config);
    const efCardAccess = fromHex(load(issue(world)).toJSON().files.cardAccess);
    const common = { efCardAccess, idPicc: Buffer.alloc(32, 1), challenge: Buffer.alloc(8, 2) };
    const withCar = await handleEac1Output(config, start.state, { ...common, cars: [world.cvca.parsed.chr] });
    assert.ok(withCar.eac2.certificates.length >= 2, 'the chain for the reported CAR is sent');
    const without = await handleEac1Output(config, start.state, { ...common, cars: [] });
    assert.deepEqual(without.eac2.certificates, []);
    assert.equal(without.state.effectiveChat, withCar.state.effectiveChat, 'rights still limited by the same chain');
    assert.ok(without.eac2.signature, 'TA signature is produced');
  });
});
