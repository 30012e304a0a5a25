/**
 * The PAOS HTTP endpoint on the TLS-PSK listener: POST with Content-Type application/vnd.paos+xml,
 * body within the limit, and the connection's PSK identity names the eID session (StartPAOS's
 * SessionIdentifier is checked against it in the first step). Every accepted POST is answered with
 * 200 and the next server request (PAOS reverses request and response).
 *
 * @spec tr03112-7 §3.2 (PAOS over HTTP), tr03124-1 §2.5.3; tr03130-1 §2.3.2 (PSK identity = session)
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { pskIdentityOf } from '../tls-psk/psk-server.js';
import { PAOS_MEDIA_TYPE, PAOS_VERSION } from '../paos/namespaces.js';
import { DEFAULT_XML_LIMITS } from '../paos/xml.js';
import { converse } from './conversation.js';
import type { ConversationDeps } from './conversation.js';

export interface PaosHandlerOptions {
  /** Path of the ServerAddress (default /paos). */
  path?: string;
}

function plain(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
  res.end(`${code}\n`);
}

/** Reads the body up to `limit` bytes; null when it is longer. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function paosHandler(deps: ConversationDeps, options: PaosHandlerOptions = {}): RequestListener {
  const path = options.path ?? '/paos';
  const limit = deps.xmlLimits?.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes;
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://eid.invalid');
      if (url.pathname !== path) return plain(res, 404, 'HTTP_NOT_FOUND');
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return plain(res, 405, 'PAOS_METHOD_NOT_ALLOWED');
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      // tr03112-7 §3.2: PAOS messages are application/vnd.paos+xml (some clients send text/xml, also tolerated).
      if (type !== PAOS_MEDIA_TYPE && type !== 'text/xml' && type !== 'application/xml') return plain(res, 415, 'PAOS_CONTENT_TYPE');
      const identity = pskIdentityOf(req);
      if (identity === null) return plain(res, 403, 'PAOS_SESSION_UNKNOWN');
      const body = await readBody(req, limit);
      // Oversized: answered through the conversation so the session ends with PAOS_XML_TOO_LARGE.
      const reply = await converse(deps, identity, body ?? Buffer.alloc(limit + 1));
      res.writeHead(200, { 'Content-Type': `${PAOS_MEDIA_TYPE}; charset=utf-8`, 'Cache-Control': 'no-store', PAOS: `ver="${PAOS_VERSION}"` });
      res.end(reply.body);
    })().catch((err: unknown) => {
      deps.logger.error({ err }, 'PAOS handler failed');
      if (!res.headersSent) plain(res, 500, 'INTERNAL');
      else res.destroy();
    });
  };
}
