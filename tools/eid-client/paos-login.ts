/**
 * The reference eID client's online authentication: TC Token → TLS-2 (PSK) → PAOS with the same
 * message files the server uses (src/eid/paos), the card driven through eac-driver.ts → the
 * RefreshAddress. Card errors (wrong PIN …) and user cancellation are sent as error results, as a
 * real client does; the server then ends with StartPAOSResponse. A TLS-2 server whose certificate
 * the CertificateDescription does not list (comm-certificates.ts) gets nothing more: the client
 * goes to the RefreshAddress with trustedChannelEstablishmentFailed and ends with EidClientError.
 *
 * | server request | client action | answer |
 * |---|---|---|
 * | InitializeFramework | — | InitializeFrameworkResponse (ok, 1.1.5) |
 * | EAC1InputType | TLS-2 certificates vs. commCertificates, user consent (deselect optional), card reset, PACE, GET CHALLENGE | EAC1OutputType |
 * | EAC2InputType with Signature | chain, TA, CA | EAC2OutputType{EFCardSecurity, token, nonce} |
 * | EAC2InputType without Signature | chain, MSE:Set AT, GET CHALLENGE | EAC2OutputType{Challenge} |
 * | EACAdditionalInputType | TA, CA | EAC2OutputType{EFCardSecurity, token, nonce} |
 * | Transmit | relay APDUs (stop at first unacceptable SW) | TransmitResponse |
 * | StartPAOSResponse | end; GET RefreshAddress | — |
 *
 * @spec tr03124-1 §2.4-§2.5 (eID client online authentication), tr03112-7 §3 (PAOS), tr03110-2 §3 (EAC)
 */
import { chatForAttributes } from '../../src/services/attribute-policy.js';
import { decodeChat, encodeChat } from '../../src/eid/eac/cvc/chat.js';
import type { ProfileId } from '../../src/eid/profiles/types.js';
import { isIdpError, toIdpError } from '../../src/errors/idp-error.js';
import { IdpError } from '../../src/errors/idp-error.js';
import {
  buildDidAuthenticateErrorResponse, buildEac1Output, buildEac2Output, buildEnvelope, buildInitializeFrameworkResponse, buildStartPaos,
  buildTransmitResponse, EID_CARD_APPLICATION, newMessageId, OK, PAOS_MEDIA_TYPE, parseEac1Input, parseEac2Input, parseEacAdditionalInput,
  parseEnvelope, parseStartPaosResponse, parseTransmit, RESULT_MAJOR, RESULT_MINOR, resultForError, serverMessageKind,
} from '../../src/eid/paos/index.js';
import type { Eac1InputMessage, PaosResult, ServerMessageKind } from '../../src/eid/paos/index.js';
import type { XmlOut } from '../../src/eid/paos/xml.js';
import { eac1, eac2, eac2Complete, eac2Prepare, relayTransmit } from './eac-driver.js';
import type { CardTransmit, Eac1Result } from './eac-driver.js';
import { commCertificateCheck, EidClientError } from './comm-certificates.js';
import type { CommCertificateCheck, ServerCertificateCheck } from './comm-certificates.js';
import { PaosChannel } from './paos-channel.js';
import { callRefreshAddress, fetchTcToken } from './tc-token-fetch.js';
import type { TcToken } from '../../src/eid/tc-token.js';

/** Anything that answers APDUs (SoftwareCard, a PC/SC reader). */
export interface CardLike {
  transmit(apdu: Buffer): Buffer | Promise<Buffer>;
  /**
   * Connects to the card anew (power-up / warm reset: PC/SC connect with reset, NFC discovery). Called
   * once per authentication before the first APDU, as a real client starts each authentication on a
   * fresh card connection (the MF selected, no SM channel), whatever an earlier login left behind.
   */
  reset?(): void | Promise<void>;
}

export interface ClientLoginOptions {
  tcTokenUrl: string;
  card: CardLike;
  pin: string;
  /** Optional attributes the user deselects (attribute ids of `profile`). */
  deselect?: readonly string[];
  profile?: ProfileId;
  /** Cancel as the user would, when this request arrives (sends sal#cancellationByUser). */
  cancelAt?: ServerMessageKind;
  /** Leave Challenge out of EAC1OutputType (then the server takes the EACAdditionalInputType path). */
  omitEac1Challenge?: boolean;
  /** Development: accept http TC Token / RefreshAddress URLs on loopback. */
  allowHttpLoopback?: boolean;
  /** Test hook: the PAOS endpoint for the n-th POST (default: the TC Token ServerAddress). */
  serverAddressFor?: (index: number, serverAddress: string) => string;
  /** Extra check of every TLS-2 server certificate (DER); throws to refuse the connection. */
  checkServerCertificate?: (der: Buffer) => void;
  /**
   * TLS-2 certificates against the CertificateDescription's commCertificates (comm-certificates.ts):
   * 'enforce' (production), 'enforce-when-present' (default), 'off'. A refusal ends the login with
   * EidClientError after the browser's RefreshAddress was called with trustedChannelEstablishmentFailed.
   */
  commCertificates?: CommCertificateCheck;
  /**
   * Interactive clients: asked when EAC1InputType arrives (eService, requested rights, description),
   * answers with the PIN and the deselected optional attributes, or 'cancel'. Default: `pin`/`deselect`.
   */
  consent?: (input: Eac1InputMessage) => Promise<UserConsent | 'cancel'>;
}

export interface UserConsent {
  pin: string;
  deselect: readonly string[];
}

export interface ClientLoginResult {
  /** Where the browser is sent after the RefreshAddress (Location), or the RefreshAddress itself. */
  refreshUrl: string;
  /** The StartPAOSResponse result. */
  result: PaosResult;
  /** Server requests in order (for tests and logs). */
  requests: ServerMessageKind[];
  tls: { full: number; resumed: number };
}

const MAX_ROUNDS = 20;

function cancelled(): PaosResult {
  return { major: 'error', minor: RESULT_MINOR.cancellationByUser, message: 'cancelled by the user' };
}

function errorOf(err: unknown): PaosResult {
  const e = toIdpError(err);
  return resultForError(isIdpError(err) ? e.code : 'INTERNAL', e.code);
}

/** The CHAT the user approves: required ∪ optional, minus deselected optional rights. */
function approvedChat(input: Eac1InputMessage, deselect: readonly string[], profile: ProfileId): Buffer | undefined {
  if (input.requiredChat === undefined && input.optionalChat === undefined) return undefined;
  const required = input.requiredChat === undefined ? undefined : decodeChat(input.requiredChat);
  const optional = input.optionalChat === undefined ? undefined : decodeChat(input.optionalChat);
  const base = required ?? optional!;
  const removed = deselect.length === 0 ? 0n : chatForAttributes(profile, deselect).rights;
  const rights = (required?.rights ?? 0n) | ((optional?.rights ?? 0n) & ~removed);
  return encodeChat({ ...base, rights });
}

export async function runClientLogin(o: ClientLoginOptions): Promise<ClientLoginResult> {
  const token = await fetchTcToken(o.tcTokenUrl, { allowHttpLoopback: o.allowHttpLoopback ?? false });
  if (token.psk === undefined) throw new IdpError('TCTOKEN_INVALID', 'TC Token without PSK (attached eID-Server model is not supported)');
  // Set once EAC1InputType brought the CertificateDescription; from then on every connection is checked.
  let listed: ServerCertificateCheck | null = null;
  const channel = new PaosChannel({
    identity: token.sessionIdentifier, psk: token.psk,
    checkServerCertificate: (der) => {
      o.checkServerCertificate?.(der);
      listed?.(der);
    },
  });
  try {
    return await converse(o, token, channel, (check) => { listed = check; });
  } catch (err) {
    if (!(err instanceof EidClientError)) throw err;
    // The untrusted TLS-2 server gets nothing more; the eService learns of the refusal through the
    // RefreshAddress (tr03124-1 §2.5.4, ResultMinor trustedChannelEstablishmentFailed, eid-protocol §2.2).
    const query = { ResultMajor: 'error', ResultMinor: 'trustedChannelEstablishmentFailed' };
    err.refreshUrl = (await callRefreshAddress(token.refreshAddress, query, { allowHttpLoopback: o.allowHttpLoopback ?? false }).catch(() => undefined))?.url;
    throw err;
  }
}

/** The PAOS conversation up to the RefreshAddress; `bind` receives the commCertificates check of EAC1InputType. */
async function converse(o: ClientLoginOptions, token: TcToken, channel: PaosChannel, bind: (check: ServerCertificateCheck | null) => void): Promise<ClientLoginResult> {
  const transmit: CardTransmit = async (apdu) => o.card.transmit(apdu);
  const requests: ServerMessageKind[] = [];
  let eac1Input: Eac1InputMessage | undefined;
  let eac1Session: Eac1Result | undefined;
  let prepared: { sm: Eac1Result['sm'] } | undefined;
  let ephemeralKey: Buffer | undefined;

  let body: XmlOut = buildStartPaos({
    sessionIdentifier: token.sessionIdentifier,
    connectionHandles: [{ cardApplication: EID_CARD_APPLICATION, slotHandle: Buffer.from([0]) }],
    userAgent: { name: 'neid-client', versionMajor: 1, versionMinor: 0, versionSubminor: 0 },
    supportedApiVersions: [{ major: 1, minor: 1, subminor: 5 }], supportedDidProtocols: [],
  });
  let relatesTo: string | undefined;
  let final: PaosResult | undefined;
  for (let round = 0; round < MAX_ROUNDS && final === undefined; round++) {
    const address = o.serverAddressFor?.(round, token.serverAddress) ?? token.serverAddress;
    const reply = await channel.post(address, buildEnvelope('client', { relatesTo, messageId: newMessageId() }, body));
    if (reply.status !== 200 || !reply.contentType.startsWith(PAOS_MEDIA_TYPE)) {
      throw new IdpError('EID_CLIENT_HTTP_ERROR', `PAOS answered HTTP ${reply.status} ${reply.contentType}`, { detail: { status: reply.status } });
    }
    const envelope = parseEnvelope(reply.body);
    relatesTo = envelope.messageId;
    const kind = serverMessageKind(envelope.body);
    requests.push(kind);
    if (kind === 'StartPAOSResponse') {
      final = parseStartPaosResponse(envelope.body);
      break;
    }
    if (o.cancelAt === kind) {
      body = kind === 'Transmit' ? buildTransmitResponse({ result: cancelled(), outputApdus: [] })
        : kind === 'InitializeFramework' ? buildInitializeFrameworkResponse({ result: cancelled() })
          : buildDidAuthenticateErrorResponse(cancelled(), kind === 'EAC1InputType' ? 'EAC1OutputType' : 'EAC2OutputType');
      continue;
    }
    switch (kind) {
      case 'InitializeFramework':
        body = buildInitializeFrameworkResponse({ result: OK, version: { major: 1, minor: 1, subMinor: 5 } });
        break;
      case 'EAC1InputType': {
        eac1Input = parseEac1Input(envelope.body);
        // Before the user is asked: the servers met so far must be those the eService's description lists.
        const listed = commCertificateCheck(eac1Input, o.commCertificates ?? 'enforce-when-present');
        for (const der of channel.serverCertificates) listed?.(der);
        bind(listed);
        const decision = o.consent === undefined ? { pin: o.pin, deselect: o.deselect ?? [] } : await o.consent(eac1Input);
        if (decision === 'cancel') {
          body = buildDidAuthenticateErrorResponse(cancelled(), 'EAC1OutputType');
          break;
        }
        try {
          const chat = approvedChat(eac1Input, decision.deselect, o.profile ?? 'tw');
          await o.card.reset?.();
          eac1Session = await eac1(transmit, { password: { type: 'pin', value: decision.pin }, chat });
          body = buildEac1Output({
            result: OK, chat, cars: eac1Session.cars, efCardAccess: eac1Session.efCardAccess, idPicc: eac1Session.idPicc,
            challenge: o.omitEac1Challenge === true ? undefined : eac1Session.challenge,
          });
        } catch (err) {
          body = buildDidAuthenticateErrorResponse(errorOf(err), 'EAC1OutputType');
        }
        break;
      }
      case 'EAC2InputType': {
        const m = parseEac2Input(envelope.body);
        try {
          if (eac1Session === undefined || eac1Input === undefined) throw new IdpError('PAOS_MESSAGE_UNEXPECTED', 'EAC2 before EAC1');
          const input = { certificates: m.certificates, ephemeralPublicKey: m.ephemeralPublicKey, auxiliaryData: eac1Input.authenticatedAuxiliaryData };
          if (m.signature !== undefined) {
            const r = await eac2(transmit, eac1Session, { ...input, signature: m.signature });
            body = buildEac2Output({ result: OK, efCardSecurity: r.efCardSecurity, authenticationToken: r.token, nonce: r.nonce });
          } else {
            const p = await eac2Prepare(transmit, eac1Session, input, { freshChallenge: true });
            prepared = p;
            ephemeralKey = m.ephemeralPublicKey;
            body = buildEac2Output({ result: OK, challenge: p.challenge });
          }
        } catch (err) {
          body = buildDidAuthenticateErrorResponse(errorOf(err), 'EAC2OutputType');
        }
        break;
      }
      case 'EACAdditionalInputType': {
        const m = parseEacAdditionalInput(envelope.body);
        try {
          if (eac1Session === undefined || prepared === undefined || ephemeralKey === undefined) throw new IdpError('PAOS_MESSAGE_UNEXPECTED', 'EACAdditionalInput before EAC2');
          const r = await eac2Complete(transmit, eac1Session, prepared, { ephemeralPublicKey: ephemeralKey, signature: m.signature });
          body = buildEac2Output({ result: OK, efCardSecurity: r.efCardSecurity, authenticationToken: r.token, nonce: r.nonce });
        } catch (err) {
          body = buildDidAuthenticateErrorResponse(errorOf(err), 'EAC2OutputType');
        }
        break;
      }
      case 'Transmit': {
        const m = parseTransmit(envelope.body);
        try {
          body = buildTransmitResponse({ result: OK, outputApdus: await relayTransmit(transmit, m.apdus) });
        } catch (err) {
          body = buildTransmitResponse({ result: errorOf(err), outputApdus: [] });
        }
        break;
      }
    }
  }
  if (final === undefined) throw new IdpError('PAOS_MESSAGE_UNEXPECTED', `no StartPAOSResponse after ${MAX_ROUNDS} rounds`);
  // tr03124-1 §2.5.4 / AusweisApp StateRedirectBrowser: the browser goes to the RefreshAddress with the result.
  const query: Record<string, string> = final.major === 'ok' ? { ResultMajor: 'ok' } : { ResultMajor: 'error', ResultMinor: 'serverError' };
  if (final.major !== 'ok' && final.minor === RESULT_MINOR.cancellationByUser) query.ResultMinor = 'cancellationByUser';
  const refresh = await callRefreshAddress(token.refreshAddress, query, { allowHttpLoopback: o.allowHttpLoopback ?? false });
  return { refreshUrl: refresh.url, result: final, requests, tls: { ...channel.stats } };
}

export { RESULT_MAJOR };
