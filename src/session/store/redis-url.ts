/**
 * Parses the session store URL (config `store.redisUrl`, env NEID_REDIS_URL) into ioredis options.
 *
 *   redis://[[user]:password@]host[:port][/db]            one Redis server
 *   rediss://[[user]:password@]host[:port][/db]           the same over TLS (certificate verified, SNI = host)
 *   redis+sentinel://[[user]:password@]host[:port],host[:port]…/<masterName>[?db=N]
 *                                                        Sentinel-managed master (password = the data nodes')
 *   redis+cluster://[[user]:password@]host[:port],host[:port]…
 *                                                        Redis Cluster seed nodes (db is always 0)
 *
 * Default ports: 6379 (26379 for Sentinel). IPv6 hosts go in brackets. User and password are
 * percent-decoded. WHATWG URL cannot read comma-separated host lists, so this is a small parser of
 * its own; it rejects anything it does not understand with STORE_URL_INVALID and a message naming
 * the problem. Messages never repeat the URL itself (it may carry a password).
 *
 * @spec rfc3986 §3 (generic syntax); redis URI scheme (IANA provisional registration "redis", "rediss")
 */
import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import { StoreError } from './errors.js';

export type RedisTarget =
  | { mode: 'standalone'; options: RedisOptions; /** Safe to log: no credentials. */ display: string }
  | { mode: 'sentinel'; options: RedisOptions; display: string }
  | { mode: 'cluster'; nodes: ClusterNode[]; options: ClusterOptions; display: string };

interface HostPort { host: string; port: number }

const SCHEMES = ['redis', 'rediss', 'redis+sentinel', 'redis+cluster'] as const;
type Scheme = (typeof SCHEMES)[number];

/** RFC 1123 host names (letters, digits, hyphens, dots) and dotted IPv4. */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._~-]+)?$/;
/** Sentinel master names as redis-sentinel accepts them in practice. */
const MASTER_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const DB = /^(0|[1-9][0-9]{0,8})$/;

function fail(what: string): never {
  throw new StoreError('STORE_URL_INVALID', `store URL invalid: ${what}`);
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return fail(`${what} has a malformed percent-encoding`);
  }
}

function parseDb(value: string, where: string): number {
  if (!DB.test(value)) fail(`${where} must be a database number (0, 1, 2, …)`);
  return Number(value);
}

function parseHostPort(text: string, defaultPort: number, index: number): HostPort {
  const label = `host #${index + 1}`;
  if (text === '') fail(`${label} is empty`);
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) fail(`${label}: IPv6 address is missing its closing "]"`);
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) fail(`${label}: unexpected characters after the IPv6 address`);
    portText = rest === '' ? undefined : rest.slice(1);
    if (!IPV6.test(host) || !host.includes(':')) fail(`${label}: not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0 && text.indexOf(':') !== colon) fail(`${label}: IPv6 addresses must be written in brackets`);
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? undefined : text.slice(colon + 1);
    if (!HOSTNAME.test(host)) fail(`${label}: not a valid host name or IPv4 address`);
  }
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) fail(`${label}: port must be a number`);
    port = Number(portText);
    if (port < 1 || port > 65535) fail(`${label}: port must be between 1 and 65535`);
  }
  return { host, port };
}

function parseQuery(query: string | undefined, allowed: readonly string[], scheme: Scheme): Map<string, string> {
  const params = new Map<string, string>();
  if (query === undefined || query === '') return params;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq), 'query parameter name');
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1), `query parameter "${name}"`);
    if (!allowed.includes(name)) {
      fail(allowed.length === 0
        ? `${scheme}:// URLs take no query parameters (got "${name}")`
        : `unknown query parameter "${name}" (allowed: ${allowed.join(', ')})`);
    }
    if (params.has(name)) fail(`query parameter "${name}" given twice`);
    params.set(name, value);
  }
  return params;
}

function formatHost({ host, port }: HostPort): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Parses a store URL; throws StoreError STORE_URL_INVALID naming what is wrong. */
export function parseRedisUrl(url: string): RedisTarget {
  if (typeof url !== 'string' || url.trim() === '') fail('empty');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected here
  if (/[\s\u0000-\u001f\u007f]/.test(url)) fail('contains whitespace or control characters');
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) fail('missing "<scheme>://" (expected redis://, rediss://, redis+sentinel:// or redis+cluster://)');
  const schemeText = url.slice(0, schemeEnd).toLowerCase();
  if (!(SCHEMES as readonly string[]).includes(schemeText)) {
    fail(`unsupported scheme "${schemeText}" (expected redis, rediss, redis+sentinel or redis+cluster)`);
  }
  const scheme = schemeText as Scheme;

  let rest = url.slice(schemeEnd + 3);
  if (rest.includes('#')) fail('fragments ("#…") are not allowed');
  let query: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);

  // userinfo ends at the LAST "@" of the authority: a password may contain "@" only percent-encoded,
  // but tolerating the raw form here costs nothing and matches what operators type.
  const at = authority.lastIndexOf('@');
  const hostList = at < 0 ? authority : authority.slice(at + 1);
  let username: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon < 0) fail('credentials must be written as ":password@" or "user:password@"');
    const user = decode(userinfo.slice(0, colon), 'user name');
    const pass = decode(userinfo.slice(colon + 1), 'password');
    if (pass === '') fail('password is empty (drop the "@" when there is no password)');
    if (user !== '') username = user;
    password = pass;
  }

  if (hostList === '') fail('no host');
  const defaultPort = scheme === 'redis+sentinel' ? 26379 : 6379;
  const hosts = hostList.split(',').map((h, i) => parseHostPort(h, defaultPort, i));
  const auth = { ...(username !== undefined && { username }), ...(password !== undefined && { password }) };

  switch (scheme) {
    case 'redis':
    case 'rediss': {
      if (hosts.length !== 1) fail(`${scheme}:// takes one host; use redis+sentinel:// or redis+cluster:// for several`);
      parseQuery(query, [], scheme);
      const db = path === '' ? 0 : parseDb(path, 'path');
      const { host, port } = hosts[0] as HostPort;
      const options: RedisOptions = { host, port, db, ...auth };
      // rediss: TLS with the default verification (rejectUnauthorized) and SNI for host names.
      if (scheme === 'rediss') options.tls = HOSTNAME.test(host) && !/^[0-9.]+$/.test(host) ? { servername: host } : {};
      return { mode: 'standalone', options, display: `${scheme}://${formatHost({ host, port })}/${db}` };
    }
    case 'redis+sentinel': {
      if (path === '') fail('redis+sentinel:// needs the master name as path ("/<masterName>")');
      if (!MASTER_NAME.test(path)) fail('master name may only contain letters, digits, ".", "_" and "-"');
      const params = parseQuery(query, ['db'], scheme);
      const dbText = params.get('db');
      const db = dbText === undefined ? 0 : parseDb(dbText, 'query parameter "db"');
      const options: RedisOptions = { sentinels: hosts, name: path, db, ...auth };
      return { mode: 'sentinel', options, display: `redis+sentinel://${hosts.map(formatHost).join(',')}/${path}?db=${db}` };
    }
    case 'redis+cluster': {
      if (path !== '') fail('redis+cluster:// takes no path (a cluster has only database 0)');
      parseQuery(query, [], scheme);
      const options: ClusterOptions = { redisOptions: { ...auth } };
      return { mode: 'cluster', nodes: hosts, options, display: `redis+cluster://${hosts.map(formatHost).join(',')}` };
    }
  }
}
