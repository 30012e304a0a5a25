/**
 * The eID client fetches the TC Token: GET tcTokenURL, following 302/303/307 to https URLs only
 * (AusweisApp StateGetTcToken); plain http is accepted only towards loopback when `allowHttpLoopback`
 * (development). Also used for the RefreshAddress (the first redirect is the result).
 *
 * @spec tr03124-1 §2.4 (TC Token retrieval), §2.5.4 (RefreshAddress); eid-protocol §2.1, §2.2
 */
import { IdpError } from '../../src/errors/idp-error.js';
import { parseTcToken } from '../../src/eid/tc-token.js';
import type { TcToken } from '../../src/eid/tc-token.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_HOPS = 5;

export function allowedUrl(url: URL, allowHttpLoopback: boolean): boolean {
  if (url.protocol === 'https:') return true;
  return allowHttpLoopback && url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

export async function fetchTcToken(tcTokenUrl: string, options: { allowHttpLoopback?: boolean } = {}): Promise<TcToken> {
  let url = new URL(tcTokenUrl);
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    if (!allowedUrl(url, options.allowHttpLoopback === true)) throw new IdpError('EID_CLIENT_REDIRECT_REFUSED', `TC Token URL ${url.origin} is not https`);
    const res = await fetch(url, { redirect: 'manual', headers: { Accept: 'text/xml, application/xml' } });
    if ([302, 303, 307].includes(res.status)) {
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (location === null) throw new IdpError('EID_CLIENT_HTTP_ERROR', 'redirect without Location');
      url = new URL(location, url);
      continue;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new IdpError('EID_CLIENT_HTTP_ERROR', `TC Token answered HTTP ${res.status}`, { detail: { status: res.status } });
    }
    return parseTcToken(Buffer.from(await res.arrayBuffer()));
  }
  throw new IdpError('EID_CLIENT_REDIRECT_REFUSED', `more than ${MAX_HOPS} redirects`);
}

/** GET the RefreshAddress with the client's result; returns where the browser would be sent (Location, or the address itself). */
export async function callRefreshAddress(refreshAddress: string, query: Record<string, string>, options: { allowHttpLoopback?: boolean } = {}): Promise<{ url: string; status: number }> {
  const url = new URL(refreshAddress);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  if (!allowedUrl(url, options.allowHttpLoopback === true)) throw new IdpError('EID_CLIENT_REDIRECT_REFUSED', 'RefreshAddress is not https');
  const res = await fetch(url, { redirect: 'manual' });
  await res.body?.cancel();
  const location = res.headers.get('location');
  return { url: location === null ? url.toString() : new URL(location, url).toString(), status: res.status };
}
