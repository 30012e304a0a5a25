/**
 * The SecurityInfos a newly issued card publishes: EF.CardAccess (what a terminal needs before
 * PACE and TA) and the content of EF.CardSecurity (adds the CA public key and RI, signed by the DS).
 *
 * @spec tr03110-3 §A.1.2 (EF.CardAccess, EF.CardSecurity contents), §A.1.1 (PACEInfo, ChipAuthenticationInfo,
 *       ChipAuthenticationDomainParameterInfo, ChipAuthenticationPublicKeyInfo, TerminalAuthenticationInfo, RI infos)
 */
import { domainParameters } from '../../src/eid/eac/domain-parameters.js';
import type { CurveName } from '../../src/eid/eac/domain-parameters.js';
import { encodeSecurityInfos, explicitEcParameters, SecurityInfoOid } from '../../src/eid/eac/security-infos.js';
import type { AlgorithmIdentifier, SecurityInfo } from '../../src/eid/eac/security-infos.js';
import { fromHex } from '../../src/shared/bytes.js';
import type { CardKeyPair, CardJson, RiKeyPair } from './card-json.js';

/** The protocols a card of this curve runs: AES-128 on 256-bit curves, AES-256 on 384-bit curves (TR-03116-2 style). */
export function protocolsForCurve(curve: CurveName): { pace: string; ca: string; ri: string } {
  const strong = domainParameters(curve).fieldSize > 32;
  return {
    pace: strong ? SecurityInfoOid.PACE_ECDH_GM_AES_CBC_CMAC_256 : SecurityInfoOid.PACE_ECDH_GM_AES_CBC_CMAC_128,
    ca: strong ? SecurityInfoOid.CA_ECDH_AES_CBC_CMAC_256 : SecurityInfoOid.CA_ECDH_AES_CBC_CMAC_128,
    ri: SecurityInfoOid.RI_ECDH_SHA_256,
  };
}

/** TR-03110-3 §A.1.1.1: standardized domain parameters as AlgorithmIdentifier {id-StandardizedDomainParameters, id}. */
function standardized(curve: CurveName): AlgorithmIdentifier {
  return { algorithm: SecurityInfoOid.STANDARDIZED_DOMAIN_PARAMETERS, parameters: { kind: 'standardized', id: domainParameters(curve).standardizedId } };
}

function caInfos(key: CardKeyPair): SecurityInfo[] {
  return [
    { type: 'ChipAuthenticationInfo', protocol: key.oid, version: 2, keyId: key.keyId },
    { type: 'ChipAuthenticationDomainParameterInfo', protocol: SecurityInfoOid.CA_ECDH, domainParameter: standardized(key.curve), keyId: key.keyId },
  ];
}

export function cardAccessInfos(card: Pick<CardJson, 'pace' | 'chipAuthentication'>): SecurityInfo[] {
  return [
    ...card.pace.map((p): SecurityInfo => ({ type: 'PACEInfo', protocol: p.oid, version: 2, parameterId: p.parameterId })),
    ...card.chipAuthentication.flatMap(caInfos),
    { type: 'TerminalAuthenticationInfo', protocol: SecurityInfoOid.TA, version: 2, efCvca: null },
  ];
}

function riInfos(keys: readonly RiKeyPair[]): SecurityInfo[] {
  if (keys.length === 0) return [];
  const curve = (keys[0] as RiKeyPair).curve;
  return [
    ...keys.map((k): SecurityInfo => ({
      type: 'RestrictedIdentificationInfo', protocol: k.oid, params: { version: 1, keyId: k.keyId, authorizedOnly: k.authorizedOnly }, maxKeyLen: null,
    })),
    { type: 'RestrictedIdentificationDomainParameterInfo', protocol: SecurityInfoOid.RI_ECDH, domainParameter: standardized(curve) },
  ];
}

export function cardSecurityInfos(card: Pick<CardJson, 'pace' | 'chipAuthentication' | 'restrictedIdentification'>): SecurityInfo[] {
  return [
    ...cardAccessInfos(card),
    // As on the German eID card: SubjectPublicKeyInfo {id-PK-ECDH with explicit ECParameters, point}.
    ...card.chipAuthentication.map((k): SecurityInfo => ({
      type: 'ChipAuthenticationPublicKeyInfo', protocol: SecurityInfoOid.PK_ECDH,
      algorithm: { algorithm: SecurityInfoOid.PK_ECDH, parameters: { kind: 'explicit', ec: explicitEcParameters(k.curve) } },
      publicKey: fromHex(k.publicKey), keyId: k.keyId,
    })),
    ...riInfos(card.restrictedIdentification),
  ];
}

export function encodeCardAccess(card: Pick<CardJson, 'pace' | 'chipAuthentication'>): Buffer {
  return encodeSecurityInfos(cardAccessInfos(card));
}

export function encodeCardSecurityContent(card: Pick<CardJson, 'pace' | 'chipAuthentication' | 'restrictedIdentification'>): Buffer {
  return encodeSecurityInfos(cardSecurityInfos(card));
}
