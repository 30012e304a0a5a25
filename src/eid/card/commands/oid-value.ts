/**
 * OBJECT IDENTIFIER content octets, as carried in the card's context-specific data objects
 * (DO80 cryptographic mechanism reference in MSE:Set AT, DO06 in VERIFY): the value bytes only.
 * Encoding is delegated to asn1js; the dotted form is checked first so a typo cannot produce
 * a silently different OID.
 *
 * @spec x690 §8.19, tr03110-3 App. B (DO80 "cryptographic mechanism reference")
 */
import { ObjectIdentifier } from 'asn1js';
import { CommandError } from './command-error.js';

const OID_TEXT = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** DER content octets of `oid` (dotted decimal). */
export function oidValue(oid: string): Buffer {
  if (!OID_TEXT.test(oid)) throw new CommandError('CMD_ARGUMENT_INVALID', `not a dotted-decimal OID: ${oid}`);
  const node = new ObjectIdentifier({ value: oid });
  return Buffer.from(node.valueBlock.toBER(false));
}
