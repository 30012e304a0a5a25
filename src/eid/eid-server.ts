/**
 * The eID-Server's TLS-2 endpoint: the TLS-PSK listener (RSA_PSK suites, single-use PSK from the
 * eID sessions, resumption across nodes) with the PAOS conversation mounted on it.
 *
 * @spec tr03130-1 §2.3.2 (TLS-2), tr03124-1 §2.5 (PAOS over TLS-2), tr03112-7 §3
 */
import { listenTlsPsk } from './tls-psk/psk-server.js';
import type { PskServer } from './tls-psk/psk-server.js';
import type { EidSessions } from '../session/eid-session.js';
import type { Logger } from '../shared/logger.js';
import { paosHandler } from './flow/paos-handler.js';
import type { ConversationOptions } from './flow/steps/types.js';
import type { ServiceTerminalProvider } from './flow/terminal-config.js';
import type { XmlLimits } from './paos/xml.js';

export interface EidServerDeps {
  host: string;
  port: number;
  /** PEM RSA key (≥ 3072 bits) and certificate of the TLS-2 endpoint. */
  key: string;
  cert: string;
  sessions: EidSessions;
  /** The eService's terminal (registry terminal refs → certificates, key, trust anchors). */
  terminals: ServiceTerminalProvider;
  logger: Logger;
  /** Path of the TC Token ServerAddress (default /paos). */
  paosPath?: string;
  conversation?: Partial<ConversationOptions>;
  xmlLimits?: XmlLimits;
}

export type EidServer = PskServer;

export async function createEidServer(deps: EidServerDeps): Promise<EidServer> {
  const handler = paosHandler(
    { sessions: deps.sessions, terminals: deps.terminals, logger: deps.logger, ...(deps.conversation ? { options: deps.conversation } : {}), ...(deps.xmlLimits ? { xmlLimits: deps.xmlLimits } : {}) },
    { path: deps.paosPath ?? '/paos' },
  );
  return listenTlsPsk({ host: deps.host, port: deps.port, key: deps.key, cert: deps.cert, source: deps.sessions.pskSource(), handler, logger: deps.logger });
}
