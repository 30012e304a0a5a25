/**
 * What the server-side EAC session needs from the eService configuration. Not stored: each node
 * rebuilds it from the registry and key store; only EacTerminalState travels through the store.
 *
 * @spec tr03130-1 §2.4 (eID-Server tasks), tr03110-2 §3.4-§3.6
 */
import type { Chat } from '../cvc/chat.js';
import type { TerminalSigner } from '../ta.js';
import type { SectorPublicKey } from '../ri.js';
import type { SecurityInfo } from '../security-infos.js';
import type { DataProfile } from '../../profiles/types.js';
import type { Clock } from '../../../shared/clock.js';

export interface AuxiliaryVerificationConfig {
  /** Age verification: "at least N years old today". */
  minimumAge?: number | undefined;
  /** Place verification: community ID prefix as the profile encodes it (profile.communityIdFromDigits). */
  communityIdPrefix?: Buffer | undefined;
  /** Document validity via id-DateOfExpiry (TR-03130-1 §2.4.6 step 3). Default true. */
  checkValidity?: boolean | undefined;
}

export interface EacTerminalConfig {
  /** CV certificate pool: CVCA link certificates and DV certificates (7F21 each). */
  certificates: readonly Buffer[];
  /** The eService's current terminal (AT) certificate. */
  terminalCertificate: Buffer;
  /** Signs with the private key of terminalCertificate (software key or HSM). */
  signer: TerminalSigner;
  /** TR-03130-1: rights the eService must get / may get (each ⊆ terminal certificate CHAT). */
  requiredChat: Chat;
  optionalChat: Chat;
  /** CertificateDescription (TR-03110-4 §2.2.6) for EAC1InputType, if the eService has one. */
  certificateDescription?: Buffer | undefined;
  auxiliary?: AuxiliaryVerificationConfig | undefined;
  /** RI: one or two sector public keys certified in the terminal certificate's id-sector extension. */
  sectorPublicKeys?: readonly SectorPublicKey[] | undefined;
  /** RI key of the chip; default: first key not restricted to authorized terminals. */
  riKeyId?: number | undefined;
  profile: DataProfile;
  /**
   * Passive authentication of EF.CardSecurity (src/eid/eac/passive-authentication.ts with the trust
   * store and CRLs): resolves to the verified SecurityInfos, rejects with a PKI/PA error code.
   */
  verifyCardSecurity(cardSecurity: Buffer): Promise<readonly SecurityInfo[]>;
  /** Block list check (TR-03129 App. B) on the sector identifiers; default: nothing is blocked. */
  isBlocked?: ((sectorIds: readonly Buffer[]) => boolean | Promise<boolean>) | undefined;
  clock: Clock;
  /** Time zone of the card holders' calendar (age/expiry dates). Default Asia/Taipei. */
  timeZone?: string | undefined;
}
