/**
 * StartPAOSResponse (server → client): the last message of the conversation, dss:Result only.
 * After it the client leaves TLS-2 and goes to the RefreshAddress of the TC Token.
 *
 * @spec tr03112-7 §3.4.2 (StartPAOSResponse), tr03124-1 §2.5.3; eid-protocol §3.2
 */
import { buildResult, parseResult } from './result.js';
import type { PaosResult } from './result.js';
import { el, Sequence } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

export function buildStartPaosResponse(result: PaosResult): XmlOut {
  return el('iso:StartPAOSResponse', [buildResult(result)]);
}

export function parseStartPaosResponse(body: XmlElement): PaosResult {
  const seq = new Sequence(body);
  const result = parseResult(seq.required('Result'));
  seq.end();
  return result;
}
