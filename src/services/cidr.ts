/**
 * IP allow-list entries: IPv4 / IPv6 addresses and CIDR prefixes, and matching a client address.
 *
 * @spec rfc4632 §3.1 (IPv4 prefix notation), rfc4291 §2.3 (IPv6 prefix notation), rfc5952 (IPv6 text form)
 *
 * A prefix whose host bits are set (192.0.2.1/24) is refused: it is almost always a typo for either
 * the host (/32) or the network (192.0.2.0/24), and guessing would widen or narrow the allow-list.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  family: 4 | 6;
  /** Network address as an unsigned integer (32 or 128 bits). */
  network: bigint;
  prefix: number;
}

export type CidrParseResult = { ok: true; cidr: Cidr } | { ok: false; problem: string };

export function parseCidr(text: string): CidrParseResult {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? null : text.slice(slash + 1);
  // Zone ids (fe80::1%eth0) are host-local and meaningless in a registry.
  const family = isIPv4(address) ? 4 : isIPv6(address) && !address.includes('%') ? 6 : null;
  if (family === null) return { ok: false, problem: `expected an IPv4 or IPv6 address or CIDR prefix, got ${JSON.stringify(text)}` };
  const bits = family === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== null) {
    if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
      return { ok: false, problem: `prefix length must be 0..${bits}, got ${JSON.stringify(prefixText)}` };
    }
    prefix = Number(prefixText);
  }
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = formatAddress(family, value & ~hostMask);
    return { ok: false, problem: `host bits set in ${text}; use ${network}/${prefix} for the network or /${bits} for one host` };
  }
  return { ok: true, cidr: { family, network: value, prefix } };
}

/** True when `address` (IPv4, IPv6, or IPv4-mapped IPv6 such as ::ffff:192.0.2.7) lies in the prefix. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  let family: 4 | 6;
  let value: bigint;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (isIPv4(address) || (mapped !== null && cidr.family === 4)) {
    family = 4;
    value = ipv4ToBigInt(mapped?.[1] ?? address);
  } else if (isIPv6(address)) {
    family = 6;
    value = ipv6ToBigInt(address.split('%')[0] ?? address);
  } else {
    return false;
  }
  if (family !== cidr.family) return false;
  const bits = family === 4 ? 32 : 128;
  const shift = BigInt(bits - cidr.prefix);
  return value >> shift === cidr.network >> shift;
}

/** True when any entry of the allow-list contains the address. Entries are assumed valid (schema-checked). */
export function allowListContains(allowList: readonly string[], address: string): boolean {
  return allowList.some((entry) => {
    const parsed = parseCidr(entry);
    return parsed.ok && cidrContains(parsed.cidr, address);
  });
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // Embedded IPv4 tail (::ffff:192.0.2.1, 64:ff9b::192.0.2.1) → two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const n = ipv4ToBigInt(v4[1]);
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(fill).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  // rfc5952 §4.2: compress the longest run (≥ 2) of zero groups.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { start: i, len: j - i };
    i = j;
  }
  if (best.len < 2) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.len).join(':')}`;
}
