/**
 * GENERAL AUTHENTICATE dynamic authentication data: the `7C` template and its context-specific
 * data objects for PACE (and, with other tag numbers, CA v2 and RI).
 *
 * @spec tr03110-3 App. B (GENERAL AUTHENTICATE for PACE: dynamic authentication data 7C, objects 80–88)
 * @spec iso7816-4 §11.5.5 (GENERAL AUTHENTICATE)
 *
 * ```text
 * step   command data              response data
 * 1      7C 00                     7C { 80 encrypted nonce }
 * 2      7C { 81 mapping data }    7C { 82 mapping data }
 * 3      7C { 83 ephemeral PK }    7C { 84 ephemeral PK }
 * 4      7C { 85 token T_PCD }     7C { 86 token T_PICC, [87 CAR current], [88 CAR previous] }
 * ```
 */
import { IdpError } from '../../errors/idp-error.js';
import { decodeTlv, encodeTlv } from '../card/tlv.js';

export class DynamicAuthenticationDataError extends IdpError {}

export const TAG_DYNAMIC_AUTHENTICATION_DATA = 0x7c;

/** Context-specific tags inside 7C for PACE (TR-03110-3 App. B, GENERAL AUTHENTICATE). */
export const PACE_TAG = {
  ENCRYPTED_NONCE: 0x80,
  MAPPING_DATA_TERMINAL: 0x81,
  MAPPING_DATA_CHIP: 0x82,
  EPHEMERAL_PK_TERMINAL: 0x83,
  EPHEMERAL_PK_CHIP: 0x84,
  TOKEN_TERMINAL: 0x85,
  TOKEN_CHIP: 0x86,
  CAR_CURRENT: 0x87,
  CAR_PREVIOUS: 0x88,
} as const;

export interface DataObject { readonly tag: number; readonly value: Uint8Array }

/** 7C { objects… } in the given order; an empty list gives 7C 00 (step 1 command). */
export function encodeDynamicAuthenticationData(objects: readonly DataObject[]): Buffer {
  return encodeTlv(TAG_DYNAMIC_AUTHENTICATION_DATA, objects.map((o) => encodeTlv(o.tag, o.value)));
}

function invalid(message: string, detail?: Record<string, unknown>, cause?: unknown): DynamicAuthenticationDataError {
  return new DynamicAuthenticationDataError('PACE_DATA_INVALID', message, { ...(detail === undefined ? {} : { detail }), cause });
}

/**
 * Decodes 7C and returns its objects by tag. `required` tags must be present, `optional` may be;
 * anything else, duplicates, nested objects or trailing bytes are PACE_DATA_INVALID.
 */
export function decodeDynamicAuthenticationData(bytes: Uint8Array, required: readonly number[], optional: readonly number[] = []): Map<number, Buffer> {
  let template;
  try {
    template = decodeTlv(bytes, { maxDepth: 2 });
  } catch (cause) {
    throw invalid('dynamic authentication data is not one well-formed TLV', undefined, cause);
  }
  if (template.tag !== TAG_DYNAMIC_AUTHENTICATION_DATA) throw invalid('dynamic authentication data must be tagged 7C', { tag: template.tag });
  const out = new Map<number, Buffer>();
  for (const c of template.children) {
    if (!required.includes(c.tag) && !optional.includes(c.tag)) throw invalid(`unexpected data object ${c.tag.toString(16)} in 7C`);
    if (c.constructed) throw invalid(`data object ${c.tag.toString(16)} must be primitive`);
    if (out.has(c.tag)) throw invalid(`duplicate data object ${c.tag.toString(16)} in 7C`);
    out.set(c.tag, c.value);
  }
  for (const tag of required) {
    if (!out.has(tag)) throw invalid(`data object ${tag.toString(16)} missing in 7C`);
  }
  return out;
}

/** The single required object of a one-object template (steps 1–3 and the step-4 command). */
export function decodeSingle(bytes: Uint8Array, tag: number): Buffer {
  const value = decodeDynamicAuthenticationData(bytes, [tag]).get(tag);
  if (value === undefined) throw invalid(`data object ${tag.toString(16)} missing in 7C`);
  return value;
}
