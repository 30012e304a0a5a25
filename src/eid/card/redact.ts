/**
 * Log form of APDUs. Command and response data carry personal data (names, birth dates,
 * photos, PIN-derived values), so the log form shows the header, the data length, Ne and the
 * status word only — never a data byte. Same idea as AusweisApp's LogPrivacy.
 *
 * @spec iso7816-4 §5.1 (fields shown), §5.6 (SW names)
 */
import { decodeCommandApdu, decodeResponseApdu } from './apdu.js';
import type { CommandApdu, ResponseApdu } from './apdu.js';
import { swName } from './status-words.js';

function h2(v: number): string {
  return (v & 0xff).toString(16).toUpperCase().padStart(2, '0');
}

/** "00 B0 81 00 Nc=0 Ne=65536" — no data bytes. Accepts the model or the raw bytes. */
export function redactCommandApdu(c: CommandApdu | Uint8Array): string {
  let apdu: CommandApdu;
  if (c instanceof Uint8Array) {
    try {
      apdu = decodeCommandApdu(c);
    } catch {
      return `command APDU (unparseable, ${c.length} bytes)`;
    }
  } else {
    apdu = c;
  }
  const ne = apdu.le === null ? 'absent' : String(apdu.le);
  return `${h2(apdu.cla)} ${h2(apdu.ins)} ${h2(apdu.p1)} ${h2(apdu.p2)} Nc=${apdu.data.length} Ne=${ne}`;
}

/** "len=42 SW=9000 SUCCESS (…)" — no data bytes. Accepts the model or the raw bytes. */
export function redactResponseApdu(r: ResponseApdu | Uint8Array): string {
  let apdu: ResponseApdu;
  if (r instanceof Uint8Array) {
    try {
      apdu = decodeResponseApdu(r);
    } catch {
      return `response APDU (unparseable, ${r.length} bytes)`;
    }
  } else {
    apdu = r;
  }
  return `len=${apdu.data.length} SW=${swName(apdu.sw)}`;
}
