/**
 * Reads the PSK identity from a TLS 1.2 client's plaintext handshake flight, before OpenSSL processes it.
 *
 * Node's `pskCallback` is synchronous, while PSKs live in the shared store (any node may receive the
 * TLS-2 connection). So the listener watches the client's records: in an RSA_PSK full handshake the
 * identity travels in ClientKeyExchange (RFC 4279 §4: `opaque psk_identity<0..2^16-1>` followed by
 * EncryptedPreMasterSecret), in the clear, before ChangeCipherSpec.
 *
 * @spec rfc5246 §6.2.1 (TLSPlaintext records), §7.4 (handshake messages); rfc4279 §2, §4 (RSA_PSK ClientKeyExchange)
 */

const CONTENT_CHANGE_CIPHER_SPEC = 20;
const CONTENT_ALERT = 21;
const CONTENT_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_KEY_EXCHANGE = 16;
/** RFC 5246 §6.2.1: TLSPlaintext.length MUST NOT exceed 2^14. */
const MAX_RECORD = 16384;
/** RFC 4279 §5.3: identities up to 128 bytes MUST be supported; more is never legitimate here. */
export const MAX_PSK_IDENTITY = 128;
/** A client flight larger than this before ClientKeyExchange is not a TLS 1.2 PSK client. */
const MAX_HANDSHAKE_BYTES = 64 * 1024;

export type ScanResult =
  | { kind: 'need-more' }
  /** The client resumed a session or switched to encrypted records without a ClientKeyExchange. */
  | { kind: 'no-identity' }
  | { kind: 'identity'; identity: string }
  | { kind: 'malformed'; reason: string };

/**
 * Incremental scanner over the bytes a client sent so far. Feed it everything received; it keeps its
 * position, so each byte is parsed once.
 */
export class ClientFlightScanner {
  private buffer = Buffer.alloc(0);
  private handshake = Buffer.alloc(0);
  private done: ScanResult | undefined;

  push(chunk: Buffer): ScanResult {
    if (this.done) return this.done;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 5) return { kind: 'need-more' };
      const type = this.buffer[0] ?? 0;
      const length = this.buffer.readUInt16BE(3);
      if (length > MAX_RECORD + 2048) return this.finish({ kind: 'malformed', reason: 'record too long' });
      if (this.buffer.length < 5 + length) return { kind: 'need-more' };
      const fragment = this.buffer.subarray(5, 5 + length);
      this.buffer = this.buffer.subarray(5 + length);
      if (type === CONTENT_CHANGE_CIPHER_SPEC) return this.finish({ kind: 'no-identity' });
      if (type === CONTENT_ALERT) return this.finish({ kind: 'no-identity' });
      if (type !== CONTENT_HANDSHAKE) return this.finish({ kind: 'malformed', reason: `unexpected record type ${type}` });
      this.handshake = Buffer.concat([this.handshake, fragment]);
      if (this.handshake.length > MAX_HANDSHAKE_BYTES) return this.finish({ kind: 'malformed', reason: 'handshake flight too large' });
      const found = this.scanHandshake();
      if (found) return this.finish(found);
    }
  }

  private finish(result: ScanResult): ScanResult {
    this.done = result;
    this.buffer = Buffer.alloc(0);
    this.handshake = Buffer.alloc(0);
    return result;
  }

  /** Walks complete handshake messages; consumed messages are dropped from the buffer. */
  private scanHandshake(): ScanResult | undefined {
    while (this.handshake.length >= 4) {
      const msgType = this.handshake[0] ?? 0;
      const length = this.handshake.readUIntBE(1, 3);
      if (this.handshake.length < 4 + length) return undefined;
      const body = this.handshake.subarray(4, 4 + length);
      this.handshake = this.handshake.subarray(4 + length);
      if (msgType === HANDSHAKE_CLIENT_KEY_EXCHANGE) return parseIdentity(body);
    }
    return undefined;
  }
}

function parseIdentity(body: Buffer): ScanResult {
  if (body.length < 2) return { kind: 'malformed', reason: 'ClientKeyExchange too short' };
  const identityLength = body.readUInt16BE(0);
  if (identityLength === 0 || identityLength > MAX_PSK_IDENTITY) return { kind: 'malformed', reason: 'PSK identity length out of range' };
  if (body.length < 2 + identityLength) return { kind: 'malformed', reason: 'PSK identity truncated' };
  const identity = body.subarray(2, 2 + identityLength);
  // Our identities are ASCII session ids; anything else cannot name a session.
  if (!/^[\x21-\x7e]+$/.test(identity.toString('latin1'))) return { kind: 'malformed', reason: 'PSK identity not printable ASCII' };
  return { kind: 'identity', identity: identity.toString('latin1') };
}
