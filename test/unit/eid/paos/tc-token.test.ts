import assert from 'node:assert/strict';
import { buildTcToken, parseTcToken } from '../../../../src/eid/tc-token.js';

describe('eid/tc-token', () => {
  const token = { serverAddress: 'https://eid.example/paos', sessionIdentifier: 'ab'.repeat(32), refreshAddress: 'https://idp.example/eid/refresh?sessionId=x&y=1', communicationErrorAddress: 'https://idp.example/err', psk: Buffer.alloc(32, 7) };

  it('writes the TR-03124-1 element order and parses back', () => {
    const xml = buildTcToken(token);
    assert.match(xml, /<TCTokenType><ServerAddress>.*<\/ServerAddress><SessionIdentifier>.*<\/SessionIdentifier><RefreshAddress>.*&amp;y=1<\/RefreshAddress><CommunicationErrorAddress>.*<\/CommunicationErrorAddress><Binding>urn:liberty:paos:2006-08<\/Binding><PathSecurity-Protocol>urn:ietf:rfc:4279<\/PathSecurity-Protocol><PathSecurity-Parameters><PSK>(07){32}<\/PSK><\/PathSecurity-Parameters><\/TCTokenType>$/);
    assert.deepEqual(parseTcToken(xml), token);
  });

  it('rejects malformed tokens', () => {
    const xml = buildTcToken(token);
    for (const bad of [
      xml.replace('urn:liberty:paos:2006-08', 'urn:ietf:rfc:2616'),
      xml.replace('urn:ietf:rfc:4279', 'urn:x'),
      xml.replace(/<PSK>07/, '<PSK>0'),
      xml.replace(/<SessionIdentifier>[^<]*/, '<SessionIdentifier>'),
      xml.replace('https://eid.example/paos', 'not a url'),
      xml.replace('TCTokenType>', 'Other>'),
      '<TCTokenType>',
      '<!DOCTYPE x><TCTokenType/>',
    ]) assert.throws(() => parseTcToken(bad), { code: 'TCTOKEN_INVALID' }, bad);
  });
});
