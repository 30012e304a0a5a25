/** EacResult → EidResult: values, NOTONCHIP, PROHIBITED, and places kept structured up to getResult. */
import assert from 'node:assert/strict';
import { eidResultFromEac } from '../../../../src/eid/flow/result-mapping.js';
import type { EacResult } from '../../../../src/eid/eac/terminal/result.js';
import type { EidRequest } from '../../../../src/session/eid-session.js';
import { renderSuccess } from '../../../../src/soap/get-result.js';
import { soapProfile } from '../../../../src/soap/profiles.js';

const REQUEST: EidRequest = { profile: 'de', front: 'soap', required: ['FamilyNames', 'PlaceOfResidence'], optional: ['PlaceOfBirth', 'GivenNames', 'ResidencePermitI'] };
const RESIDENCE = { kind: 'structured', street: 'HEIDESTRASSE 17', city: 'KÖLN', country: 'D', zipCode: '51147' } as const;

function eac(): EacResult {
  return {
    effectiveChat: '', notOnChip: [19], documentValidity: 'valid',
    dataGroups: {
      5: { attribute: 'FamilyNames', text: 'MUSTERMANN' },
      9: { attribute: 'PlaceOfBirth', text: 'BERLIN', place: { kind: 'freetext', text: 'BERLIN' } },
      17: { attribute: 'PlaceOfResidence', text: 'HEIDESTRASSE 17, 51147 KÖLN, D', place: RESIDENCE },
    },
  };
}

describe('eID result mapping (EacResult → EidResult)', () => {
  it('keeps the GeneralPlace of DG9 / DG17 next to the flattened text', () => {
    const r = eidResultFromEac(REQUEST, eac());
    assert.deepEqual(r.attributes.PlaceOfResidence, { status: 'value', text: 'HEIDESTRASSE 17, 51147 KÖLN, D', place: RESIDENCE });
    assert.deepEqual(r.attributes.PlaceOfBirth, { status: 'value', text: 'BERLIN', place: { kind: 'freetext', text: 'BERLIN' } });
    assert.deepEqual(r.attributes.FamilyNames, { status: 'value', text: 'MUSTERMANN' });
    assert.deepEqual(r.attributes.GivenNames, { status: 'prohibited' });
    assert.deepEqual(r.attributes.ResidencePermitI, { status: 'notOnChip' });
  });

  it('getResult renders a structured residence as StructuredPlace (TR-03130-1 GeneralPlaceType)', () => {
    const xml = renderSuccess(eidResultFromEac(REQUEST, eac()), [...REQUEST.required, ...REQUEST.optional], soapProfile('de'));
    assert.match(xml, /<eid:PlaceOfResidence><eid:StructuredPlace><eid:Street>HEIDESTRASSE 17<\/eid:Street><eid:City>KÖLN<\/eid:City><eid:Country>D<\/eid:Country><eid:ZipCode>51147<\/eid:ZipCode><\/eid:StructuredPlace><\/eid:PlaceOfResidence>/);
    assert.match(xml, /<eid:PlaceOfBirth><eid:FreetextPlace>BERLIN<\/eid:FreetextPlace><\/eid:PlaceOfBirth>/);
  });
});

describe('level of assurance and eID type (TR-03130-1 §3.3.12–§3.3.13)', () => {
  it('reports the level reached by the card chip, in the vocabulary of the request', () => {
    assert.equal(eidResultFromEac({ ...REQUEST, levelOfAssurance: 'http://bsi.bund.de/eID/LoA/normal' }, eac()).levelOfAssurance, 'http://bsi.bund.de/eID/LoA/hoch');
    assert.equal(eidResultFromEac({ ...REQUEST, levelOfAssurance: 'http://eidas.europa.eu/LoA/substantial' }, eac()).levelOfAssurance, 'http://eidas.europa.eu/LoA/high');
    assert.equal(eidResultFromEac(REQUEST, eac()).levelOfAssurance, undefined);
  });

  it('an eService that DENIES CardCertified gets EID_DOCUMENT_DENIED (getResult#deniedDocument) and no personal data', () => {
    const denied = eidResultFromEac({ ...REQUEST, eidTypes: { CardCertified: 'DENIED', SECertified: 'ALLOWED' } }, eac());
    assert.deepEqual(denied, { error: { code: 'EID_DOCUMENT_DENIED' }, attributes: {}, documentValidity: 'valid' });
    const allowed = eidResultFromEac({ ...REQUEST, eidTypes: { CardCertified: 'ALLOWED' } }, eac());
    assert.equal(allowed.error, undefined);
    assert.deepEqual(allowed.attributes.FamilyNames, { status: 'value', text: 'MUSTERMANN' });
  });
});
