import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/shared/logger.js';
import { IdpError } from '../../../src/errors/index.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('shared/logger redaction', () => {
  it('blanks personal data and secrets at any depth, keeps ids and codes', () => {
    const { lines, logger } = capture();
    logger.info({ session: 'abc123', result: { personalData: { ChineseName: '王小明' }, pin: '123456', nested: [{ psk: 'ff', nationalId: 'A123456789' }] }, code: 'EID_OK' }, 'done');
    const text = lines.join('');
    assert.doesNotMatch(text, /王小明|123456|A123456789|"ff"/);
    assert.match(text, /abc123/);
    assert.match(text, /EID_OK/);
    assert.match(text, /\[REDACTED\]/);
  });

  it('logs errors with their code but never their raw buffers', () => {
    const { lines, logger } = capture();
    logger.error({ err: new IdpError('INTERNAL', 'boom', { detail: { apdu: Buffer.from('secret') } }) }, 'failed');
    const record = JSON.parse(lines[0] ?? '{}') as { err: { code: string; detail: Record<string, unknown> } };
    assert.equal(record.err.code, 'INTERNAL');
    assert.equal(record.err.detail.apdu, '[REDACTED]');
  });
});
