/**
 * Where the RefreshAddress sends the browser after the eID part of a SOAP-front session: a return
 * URL stored with the eID session (same TTL as the session). The development demo eService sets it
 * right after useID; SAML and OIDC sessions return through their own fronts (eidRouter returnTo).
 * Only code inside the IdP process writes here, so the RefreshAddress is never an open redirect.
 *
 * @spec tr03124-1 §2.5.4 (RefreshAddress), tr03130-1 §3.1.2
 */
import type { Store } from '../session/store/store.js';

const PREFIX = 'eid:return:';

export class ReturnUrls {
  readonly #store: Store;
  readonly #ttlMs: number;

  constructor(store: Store, ttlMs: number) {
    this.#store = store;
    this.#ttlMs = ttlMs;
  }

  async set(sessionId: string, url: string): Promise<void> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TypeError('return URL must be http(s)');
    await this.#store.set(`${PREFIX}${sessionId}`, parsed.toString(), { ttlMs: this.#ttlMs });
  }

  async get(sessionId: string): Promise<string | null> {
    return this.#store.get(`${PREFIX}${sessionId}`);
  }
}
