/**
 * Development EAC PKI generator: CVCA (and later generations with link certificates), DV and
 * terminal (authentication terminal) certificates for an eService, with a CertificateDescription
 * whose hash goes into id-description and an optional id-sector extension. For tests and the
 * `neid pki init|terminal` CLI; never for production keys.
 *
 * @spec tr03110-3 §C.1 (certificate profile), §C.3 (extensions), tr03110-4 §2.2.6 (CertificateDescription)
 */
import { generateEcKeyPair } from '../../src/eid/eac/domain-parameters.js';
import type { CurveName, EcKeyPair } from '../../src/eid/eac/domain-parameters.js';
import { createChat } from '../../src/eid/eac/cvc/chat.js';
import type { AtRight, ChatRole } from '../../src/eid/eac/cvc/chat.js';
import { encodeCertificateDescription, descriptionHash } from '../../src/eid/eac/cvc/certificate-description.js';
import type { CertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import { parseCvCertificate, signCvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import type { CvCertificate, CvCertificateBody } from '../../src/eid/eac/cvc/cv-certificate.js';
import type { CvcDate } from '../../src/eid/eac/cvc/dates.js';
import { checkCvcDate, cvcDateAddDays } from '../../src/eid/eac/cvc/dates.js';
import { CvcError } from '../../src/eid/eac/cvc/errors.js';
import type { CvcExtension } from '../../src/eid/eac/cvc/extensions.js';
import { TA_ECDSA_OIDS } from '../../src/eid/eac/cvc/oids.js';
import { cvcPublicKeyFromKeyObject } from '../../src/eid/eac/cvc/public-key.js';
import { trustPointFromCvca } from '../../src/eid/eac/cvc/chain.js';
import type { TrustPoint } from '../../src/eid/eac/cvc/chain.js';

/** A certificate together with the holder's key pair. */
export interface IssuedCvc {
  /** The 7F21 encoding. */
  readonly certificate: Buffer;
  readonly parsed: CvCertificate;
  readonly keyPair: EcKeyPair;
}

export interface IssuedTerminal extends IssuedCvc {
  /** DER CertificateDescription (EXPLICIT tags) whose hash is in id-description, if one was given. */
  readonly description: Buffer | undefined;
}

/** Rights of all AT bits (0..37): what a development CVCA grants. */
export const ALL_AT_RIGHTS = (1n << 38n) - 1n;

/** TR-03110-3 §A.6.4 / TR-03116-2: SHA-256 with 256-bit curves, SHA-384 with 384-bit curves. */
export function defaultAlgorithmFor(curve: CurveName): string {
  return curve === 'brainpoolP256r1' ? TA_ECDSA_OIDS.SHA_256 : TA_ECDSA_OIDS.SHA_384;
}

interface Validity {
  readonly effectiveDate: CvcDate;
  readonly expirationDate: CvcDate;
}

export interface CvcaOptions extends Validity {
  /** e.g. 'DETESTeID00005' (country, mnemonic, 5-character sequence number). */
  readonly chr: string;
  /** Default brainpoolP256r1. */
  readonly curve?: CurveName;
  /** Default by curve (defaultAlgorithmFor). */
  readonly algorithmOid?: string;
  /** Default ALL_AT_RIGHTS. */
  readonly rights?: readonly AtRight[] | bigint;
  /** Reuse an existing key (e.g. loaded from disk); default a fresh one. */
  readonly keyPair?: EcKeyPair;
}

function checkValidity(v: Validity): void {
  checkCvcDate(v.effectiveDate);
  checkCvcDate(v.expirationDate);
  if (v.expirationDate < v.effectiveDate) throw new CvcError('CVC_DATE_INVALID', 'expiration date before effective date');
}

function issue(body: Parameters<typeof signCvCertificate>[0], issuerKey: EcKeyPair, issuerAlgorithmOid: string, keyPair: EcKeyPair): IssuedCvc {
  const certificate = signCvCertificate(body, issuerKey.privateKey, issuerAlgorithmOid);
  return { certificate, parsed: parseCvCertificate(certificate), keyPair };
}

/** Self-signed CVCA certificate with the full domain parameters (the chip's trust point). */
export function createCvca(o: CvcaOptions): IssuedCvc {
  checkValidity(o);
  const keyPair = o.keyPair ?? generateEcKeyPair(o.curve ?? 'brainpoolP256r1');
  const algorithmOid = o.algorithmOid ?? defaultAlgorithmFor(keyPair.curve);
  return issue({
    profileId: 0, car: o.chr, chr: o.chr,
    publicKey: cvcPublicKeyFromKeyObject(algorithmOid, keyPair.publicKey, true),
    chat: createChat({ role: 'cvca', rights: o.rights ?? ALL_AT_RIGHTS }),
    effectiveDate: o.effectiveDate, expirationDate: o.expirationDate, extensions: [],
  }, keyPair, algorithmOid, keyPair);
}

/**
 * Next CVCA generation: the new self-signed CVCA and the link certificate (CAR = old CVCA, CHR = new
 * CVCA, new public key with domain parameters, signed with the old key) that moves a chip's trust
 * point from the old CVCA to the new one.
 */
export function createCvcaGeneration(previous: IssuedCvc, o: CvcaOptions): { cvca: IssuedCvc; link: IssuedCvc } {
  const cvca = createCvca(o);
  const link = issue({ ...cvca.parsed, car: previous.parsed.chr }, previous.keyPair, previous.parsed.publicKey.oid, cvca.keyPair);
  return { cvca, link };
}

export interface DvOptions extends Validity {
  readonly chr: string;
  /** Default 'dv-official' (official domestic: its terminals' effective dates advance the chip's date). */
  readonly role?: Extract<ChatRole, 'dv-official' | 'dv-non-official'>;
  readonly rights: readonly AtRight[] | bigint;
  /** Default: the issuer's key algorithm. */
  readonly algorithmOid?: string;
  readonly keyPair?: EcKeyPair;
}

/** DV certificate issued by a CVCA (its key on the CVCA's curve, without domain parameters). */
export function createDv(cvca: IssuedCvc, o: DvOptions): IssuedCvc {
  return issueBelow(cvca, ['DV', 'CVCA'], o, () => ({ chat: createChat({ role: o.role ?? 'dv-official', rights: o.rights }), extensions: [] }));
}

/**
 * A certificate issued by `issuer` (a DV by a CVCA, a terminal by a DV): the holder's key on the
 * issuer's curve, without domain parameters; `body` gives its CHAT and extensions.
 */
function issueBelow(
  issuer: IssuedCvc,
  [holderName, issuerName]: readonly [string, string],
  o: Validity & { readonly chr: string; readonly algorithmOid?: string; readonly keyPair?: EcKeyPair },
  body: (publicKey: CvCertificateBody['publicKey']) => Pick<CvCertificateBody, 'chat' | 'extensions'>,
): IssuedCvc {
  checkValidity(o);
  const keyPair = o.keyPair ?? generateEcKeyPair(issuer.keyPair.curve);
  if (keyPair.curve !== issuer.keyPair.curve) throw new CvcError('CVC_PUBLIC_KEY_INVALID', `${holderName} key on ${keyPair.curve}, ${issuerName} on ${issuer.keyPair.curve}`);
  const publicKey = cvcPublicKeyFromKeyObject(o.algorithmOid ?? issuer.parsed.publicKey.oid, keyPair.publicKey, false);
  return issue({
    profileId: 0, car: issuer.parsed.chr, chr: o.chr, publicKey, ...body(publicKey),
    effectiveDate: o.effectiveDate, expirationDate: o.expirationDate,
  }, issuer.keyPair, issuer.parsed.publicKey.oid, keyPair);
}

export interface TerminalOptions extends Validity {
  readonly chr: string;
  readonly rights: readonly AtRight[] | bigint;
  /** Written with EXPLICIT tags; its hash (terminal key's hash algorithm) goes into id-description. */
  readonly description?: CertificateDescription;
  /**
   * id-sector (TR-03110-3 §C.3.2): hashes of the sector public keys for restricted identification,
   * computed by the caller (the sector key owner, e.g. the DV, defines what is hashed).
   */
  readonly sector?: { readonly sector1Hash?: Buffer; readonly sector2Hash?: Buffer };
  /** Default: the DV's key algorithm. */
  readonly algorithmOid?: string;
  readonly keyPair?: EcKeyPair;
}

/** Authentication terminal certificate for an eService, issued by a DV. */
export function createTerminal(dv: IssuedCvc, o: TerminalOptions): IssuedTerminal {
  let description: Buffer | undefined;
  const issued = issueBelow(dv, ['terminal', 'DV'], o, (publicKey) => {
    description = o.description === undefined ? undefined : encodeCertificateDescription(o.description);
    const extensions: CvcExtension[] = [];
    if (description !== undefined) extensions.push({ type: 'description', hash: descriptionHash({ publicKey }, description) });
    if (o.sector !== undefined) extensions.push({ type: 'sector', sector1Hash: o.sector.sector1Hash, sector2Hash: o.sector.sector2Hash });
    return { chat: createChat({ role: 'terminal', rights: o.rights }), extensions };
  });
  return { ...issued, description };
}

export interface DevelopmentPkiOptions {
  /** Country code and mnemonics; default 'DE', CVCA mnemonic 'TESTeID' (sequence 00005 then 00006), DV 'DVTEST', terminal 'TERM'. */
  readonly cvcaChr?: string;
  readonly secondCvcaChr?: string;
  readonly dvChr?: string;
  readonly terminalChr?: string;
  readonly curve?: CurveName;
  /** First day of validity; CVCA 3 years, DV 90 days, terminal 30 days from here (roughly TR-03116-2 periods). */
  readonly today: CvcDate;
  /** Rights of DV and terminal (the DV gets exactly these too). */
  readonly rights: readonly AtRight[];
  readonly description?: CertificateDescription;
  readonly sector?: TerminalOptions['sector'];
  /** Also create a second CVCA generation and a link certificate; DV and terminal then hang below the new CVCA. */
  readonly withLink?: boolean;
}

export interface DevelopmentPki {
  readonly cvca: IssuedCvc;
  readonly secondCvca: IssuedCvc | undefined;
  readonly link: IssuedCvc | undefined;
  readonly dv: IssuedCvc;
  readonly terminal: IssuedTerminal;
  /** The chip's trust point for `cvca` (what a software card is personalised with). */
  readonly trustPoint: TrustPoint;
  /** [link?, DV, terminal]: what the terminal sends to a chip that knows `cvca`. */
  readonly chain: readonly CvCertificate[];
}

/** A complete development chain in one call. */
export function createDevelopmentPki(o: DevelopmentPkiOptions): DevelopmentPki {
  checkCvcDate(o.today);
  const curve = o.curve ?? 'brainpoolP256r1';
  const cvca = createCvca({ chr: o.cvcaChr ?? 'DETESTeID00005', curve, effectiveDate: o.today, expirationDate: cvcDateAddDays(o.today, 3 * 365) });
  let issuer = cvca;
  let secondCvca: IssuedCvc | undefined;
  let link: IssuedCvc | undefined;
  if (o.withLink === true) {
    const next = createCvcaGeneration(cvca, { chr: o.secondCvcaChr ?? 'DETESTeID00006', curve, effectiveDate: o.today, expirationDate: cvcDateAddDays(o.today, 4 * 365) });
    secondCvca = next.cvca;
    link = next.link;
    issuer = next.cvca;
  }
  const dv = createDv(issuer, { chr: o.dvChr ?? 'DEDVTEST00001', rights: o.rights, effectiveDate: o.today, expirationDate: cvcDateAddDays(o.today, 90) });
  const terminal = createTerminal(dv, {
    chr: o.terminalChr ?? 'DETERM00001', rights: o.rights, effectiveDate: o.today, expirationDate: cvcDateAddDays(o.today, 30),
    ...(o.description === undefined ? {} : { description: o.description }),
    ...(o.sector === undefined ? {} : { sector: o.sector }),
  });
  const chain = [...(link === undefined ? [] : [link.parsed]), dv.parsed, terminal.parsed];
  return { cvca, secondCvca, link, dv, terminal, trustPoint: trustPointFromCvca(cvca.parsed), chain };
}
