/**
 * InitializeFramework (server → client, optional, empty) and InitializeFrameworkResponse
 * (client → server: dss:Result, Version{Major, Minor?, SubMinor?}). Both in the eCard namespace.
 *
 * @spec tr03112-1 §3.1.1 (InitializeFramework), tr03112-7 §3.4; eid-protocol §3.2
 */
import { buildResult, parseResult } from './result.js';
import type { PaosResult } from './result.js';
import { el, leaf, Sequence, uintOf } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

export interface FrameworkVersion {
  major: number;
  minor?: number | undefined;
  subMinor?: number | undefined;
}

export interface InitializeFrameworkResponse {
  result: PaosResult;
  version?: FrameworkVersion | undefined;
}

export function buildInitializeFramework(): XmlOut {
  return el('ecard:InitializeFramework');
}

export function parseInitializeFramework(body: XmlElement): Record<string, never> {
  // The request has no content (xs:any extensions are tolerated and ignored).
  new Sequence(body).rest();
  return {};
}

export function buildInitializeFrameworkResponse(m: InitializeFrameworkResponse): XmlOut {
  return el('ecard:InitializeFrameworkResponse', [
    buildResult(m.result),
    m.version === undefined ? undefined : el('ecard:Version', [
      leaf('ecard:Major', String(m.version.major)),
      m.version.minor === undefined ? undefined : leaf('ecard:Minor', String(m.version.minor)),
      m.version.subMinor === undefined ? undefined : leaf('ecard:SubMinor', String(m.version.subMinor)),
    ]),
  ]);
}

export function parseInitializeFrameworkResponse(body: XmlElement): InitializeFrameworkResponse {
  const seq = new Sequence(body);
  const result = parseResult(seq.required('Result'));
  const versionEl = seq.optional('Version');
  seq.end();
  if (versionEl === undefined) return { result };
  const v = new Sequence(versionEl);
  const version: FrameworkVersion = { major: uintOf(v.required('Major')) };
  const minor = v.optional('Minor');
  if (minor !== undefined) version.minor = uintOf(minor);
  const subMinor = v.optional('SubMinor');
  if (subMinor !== undefined) version.subMinor = uintOf(subMinor);
  v.end();
  return { result, version };
}
