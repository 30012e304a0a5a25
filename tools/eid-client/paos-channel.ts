/**
 * The eID client's side of TLS-2: TLS 1.2, RSA_PSK suites, the PSK and identity of the TC Token,
 * and the TLS session kept for resumption (every PAOS POST may open a new connection, also to
 * another node, and resumes the session instead of a new full handshake: the PSK is single-use).
 *
 * @spec tr03124-1 §2.5 (TLS-2), tr03130-1 §2.3.2 (RSA_PSK suites), rfc4279 §2, rfc5246 §7.4.1.2 (resumption)
 */
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { IdpError } from '../../src/errors/idp-error.js';
import { PAOS_MEDIA_TYPE, PAOS_VERSION } from '../../src/eid/paos/namespaces.js';
import { RSA_PSK_CIPHERS } from '../../src/eid/tls-psk/psk-server.js';

export interface PaosChannelOptions {
  identity: string;
  psk: Buffer;
  /**
   * Accepts the server certificate (DER) or throws, on every connection (also resumed ones), before
   * the request leaves: a refused server never gets the body. Default: accept.
   */
  checkServerCertificate?: (der: Buffer) => void;
  userAgent?: string;
}

export interface PaosExchange {
  status: number;
  contentType: string;
  body: Buffer;
  /** Whether this POST ran on a resumed TLS session. */
  resumed: boolean;
}

export class PaosChannel {
  readonly #o: PaosChannelOptions;
  #session: Buffer | undefined;
  /** Full handshakes and resumptions so far (tests check that only the first was full). */
  readonly stats = { full: 0, resumed: 0 };
  readonly #certificates: Buffer[] = [];

  /** The distinct TLS-2 server certificates (DER) seen so far, first seen first (checked against commCertificates). */
  get serverCertificates(): readonly Buffer[] {
    return this.#certificates;
  }

  constructor(options: PaosChannelOptions) {
    this.#o = options;
  }

  /** One PAOS POST on a fresh connection (resuming the TLS session when there is one). */
  post(serverAddress: string, body: string): Promise<PaosExchange> {
    const url = new URL(serverAddress);
    if (url.protocol !== 'https:') return Promise.reject(new IdpError('EID_CLIENT_REDIRECT_REFUSED', 'ServerAddress is not https'));
    return new Promise((resolve, reject) => {
      let socket: TLSSocket | undefined;
      const options: RequestOptions & ConnectionOptions = {
        host: url.hostname, port: url.port === '' ? 443 : Number(url.port), path: `${url.pathname}${url.search}`, method: 'POST', agent: false,
        headers: {
          'Content-Type': `${PAOS_MEDIA_TYPE}; charset=UTF-8`, Accept: `text/html; ${PAOS_MEDIA_TYPE}`, PAOS: `ver="${PAOS_VERSION}"`,
          requestid: this.#o.identity, 'User-Agent': this.#o.userAgent ?? 'neid-client/1.0 (TR-03124/1.4)', 'Content-Length': String(Buffer.byteLength(body)),
        },
        // TLS options go to tls.connect through the (fresh, non-pooling) agent.
        minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: RSA_PSK_CIPHERS,
        // The server is authenticated by the PSK and (in a real client) commCertificates, not by a web PKI.
        rejectUnauthorized: false, checkServerIdentity: () => undefined,
        pskCallback: () => ({ psk: this.#o.psk, identity: this.#o.identity }),
        ...(this.#session === undefined ? {} : { session: this.#session }),
      };
      const req = httpsRequest(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks), resumed: socket?.isSessionReused() ?? false }));
        res.on('error', reject);
      });
      req.on('socket', (raw) => {
        socket = raw as TLSSocket;
        socket.on('session', (session: Buffer) => { this.#session = session; });
        socket.once('secureConnect', () => {
          if (socket!.isSessionReused()) this.stats.resumed++;
          else this.stats.full++;
          // RSA_PSK: the server presents a certificate, also on a resumed session (it is part of the session).
          const der = socket!.getPeerCertificate().raw as Buffer | undefined;
          try {
            if (der !== undefined) {
              if (!this.#certificates.some((c) => c.equals(der))) this.#certificates.push(Buffer.from(der));
              this.#o.checkServerCertificate?.(der);
            }
          } catch (err) {
            // The request written below is still queued in the TLS layer while secureConnect runs:
            // a refused server gets no byte of it.
            socket!.destroy(err as Error);
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
