/**
 * StartPAOS (eID client → server, the first message on TLS-2): SessionIdentifier (= PSK identity
 * of the TC Token), ConnectionHandle, UserAgent, SupportedAPIVersions.
 *
 * Element order (ISO/IEC 24727-3 StartPAOS, as AusweisApp 1.26.2 sends it):
 * SessionIdentifier, ConnectionHandle+, UserAgent?, SupportedAPIVersions*, SupportedDIDProtocols*.
 *
 * @spec tr03112-7 §3.4.1 (StartPAOS), iso24727-3 §3.2, tr03124-1 §2.5.3; eid-protocol §3.2
 */
import { buildConnectionHandle, parseConnectionHandle } from './connection-handle.js';
import type { ConnectionHandle } from './connection-handle.js';
import { PaosError } from './errors.js';
import { el, leaf, Sequence, textOf, uintOf } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

export interface UserAgent {
  name: string;
  versionMajor: number;
  versionMinor: number;
  versionSubminor: number;
}

export interface ApiVersion {
  major: number;
  minor?: number | undefined;
  subminor?: number | undefined;
}

export interface StartPaos {
  sessionIdentifier: string;
  connectionHandles: ConnectionHandle[];
  userAgent?: UserAgent | undefined;
  supportedApiVersions: ApiVersion[];
  supportedDidProtocols: string[];
}

const MAX_SESSION_ID = 256;

export function buildStartPaos(m: StartPaos): XmlOut {
  return el('iso:StartPAOS', [
    leaf('iso:SessionIdentifier', m.sessionIdentifier),
    ...m.connectionHandles.map(buildConnectionHandle),
    m.userAgent === undefined ? undefined : el('iso:UserAgent', [
      leaf('iso:Name', m.userAgent.name),
      leaf('iso:VersionMajor', String(m.userAgent.versionMajor)),
      leaf('iso:VersionMinor', String(m.userAgent.versionMinor)),
      leaf('iso:VersionSubminor', String(m.userAgent.versionSubminor)),
    ]),
    ...m.supportedApiVersions.map((v) => el('iso:SupportedAPIVersions', [
      leaf('iso:Major', String(v.major)),
      v.minor === undefined ? undefined : leaf('iso:Minor', String(v.minor)),
      v.subminor === undefined ? undefined : leaf('iso:Subminor', String(v.subminor)),
    ])),
    ...m.supportedDidProtocols.map((p) => leaf('iso:SupportedDIDProtocols', p)),
  ]);
}

export function parseStartPaos(body: XmlElement): StartPaos {
  const seq = new Sequence(body);
  const sessionIdentifier = textOf(seq.required('SessionIdentifier'));
  if (sessionIdentifier === '' || sessionIdentifier.length > MAX_SESSION_ID) throw new PaosError('PAOS_VALUE_INVALID', 'SessionIdentifier empty or too long');
  const connectionHandles = seq.many('ConnectionHandle', 1, 8).map(parseConnectionHandle);
  const ua = seq.optional('UserAgent');
  let userAgent: UserAgent | undefined;
  if (ua !== undefined) {
    const u = new Sequence(ua);
    userAgent = {
      name: textOf(u.required('Name')).slice(0, 128),
      versionMajor: uintOf(u.required('VersionMajor')),
      versionMinor: uintOf(u.required('VersionMinor')),
      versionSubminor: uintOf(u.required('VersionSubminor')),
    };
    u.end();
  }
  const supportedApiVersions = seq.many('SupportedAPIVersions', 0, 16).map((v) => {
    const s = new Sequence(v);
    const version: ApiVersion = { major: uintOf(s.required('Major')) };
    const minor = s.optional('Minor');
    if (minor !== undefined) version.minor = uintOf(minor);
    const subminor = s.optional('Subminor');
    if (subminor !== undefined) version.subminor = uintOf(subminor);
    s.end();
    return version;
  });
  const supportedDidProtocols = seq.many('SupportedDIDProtocols', 0, 32).map((p) => textOf(p).slice(0, 256));
  seq.end();
  return { sessionIdentifier, connectionHandles, userAgent, supportedApiVersions, supportedDidProtocols };
}
