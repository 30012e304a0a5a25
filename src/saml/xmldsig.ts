/**
 * Enveloped XML signatures (metadata, POST-binding Responses) — the only caller of xml-crypto.
 * Signing: RSA-SHA256 (or ECDSA-SHA256), exclusive c14n, one Reference to the root's ID.
 * Verification is wrapping-safe: the one ds:Signature must be a direct child of the root, its one
 * Reference must point at the root's ID with only enveloped + exclusive-c14n transforms, the key
 * comes from configuration (never from the message's KeyInfo), and the caller gets the signed bytes
 * re-parsed, so it reads only what the signature covers (idp-landscape finding 5).
 *
 * @spec xmldsig-core §3.1 (generation), §3.2 (validation), §6.6.4 (enveloped); saml-core §5.4.1–§5.4.3 (signing formats, references, transforms); xml-exc-c14n §3
 */
import type { KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { XmlDocument, XmlElement } from '../shared/xml.js';
import { SamlError } from './errors.js';
import { DSIG, NS, SIG_ALG } from './namespaces.js';
import { attr, children, childElements, parseSamlXml } from './xml.js';

export interface SignOptions {
  privateKey: KeyObject;
  /** base64 DER of the signer's certificate (ds:KeyInfo/X509Data: a hint for peers, never trusted by us). */
  certificateBase64: string;
  /** Where the signature goes: after this direct child of the root (saml-core schema order), or first. */
  afterChild?: { ns: string; localName: string };
}

function sigAlgFor(key: KeyObject): string {
  return key.asymmetricKeyType === 'ec' ? SIG_ALG.ecdsaSha256 : SIG_ALG.rsaSha256;
}

/** Signs the root element of `xml` (it must carry an ID attribute); returns the signed document. */
export function signEnveloped(xml: string, options: SignOptions): string {
  const doc = parseSamlXml(xml);
  const root = doc.documentElement;
  const id = root ? attr(root, 'ID') : undefined;
  if (!root || !id) throw new SamlError('INTERNAL', 'element to sign has no ID');
  const sig = new SignedXml({
    privateKey: options.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    signatureAlgorithm: sigAlgFor(options.privateKey),
    canonicalizationAlgorithm: DSIG.exclusiveC14n,
    idAttribute: 'ID',
    getKeyInfoContent: () => `<ds:X509Data><ds:X509Certificate>${options.certificateBase64}</ds:X509Certificate></ds:X509Data>`,
  });
  sig.addReference({
    xpath: `/*[@ID='${id}']`,
    transforms: [DSIG.enveloped, DSIG.exclusiveC14n],
    digestAlgorithm: DSIG.sha256,
  });
  const after = options.afterChild;
  const anchor = after ? childElements(root).find((c) => c.namespaceURI === after.ns && c.localName === after.localName) : undefined;
  const location = anchor
    ? { reference: `/*/*[local-name()='${after?.localName ?? ''}' and namespace-uri()='${after?.ns ?? ''}']`, action: 'after' as const }
    : { reference: '/*', action: 'prepend' as const };
  sig.computeSignature(xml, { prefix: 'ds', location });
  return sig.getSignedXml();
}

export interface VerifiedXml {
  /** The signed root, re-parsed from exactly the canonical bytes the signature covers. */
  doc: XmlDocument;
  root: XmlElement;
  /** The certificate that verified it. */
  verifiedBy: string;
}

const ALLOWED_TRANSFORMS: ReadonlySet<string> = new Set([DSIG.enveloped, DSIG.exclusiveC14n]);

/**
 * Verifies the enveloped signature of the document root with one of `certificatesPem`. Throws
 * SAML_XML_SIGNATURE_INVALID for a missing, misplaced, wrapped or invalid signature.
 */
export function verifyEnveloped(xml: string, certificatesPem: readonly string[]): VerifiedXml {
  const fail = (why: string): never => {
    throw new SamlError('SAML_XML_SIGNATURE_INVALID', `XML signature: ${why}`);
  };
  const doc = parseSamlXml(xml);
  const root = doc.documentElement ?? fail('no root');
  const id = attr(root, 'ID') ?? fail('root has no ID');
  const direct = children(root, NS.ds, 'Signature');
  if (direct.length !== 1) fail(direct.length === 0 ? 'not signed' : 'more than one signature');
  // Any ds:Signature elsewhere means a second signed object in the document: the wrapping pattern.
  if (doc.getElementsByTagNameNS(NS.ds, 'Signature').length !== 1) fail('signature elements outside the root');
  // Duplicate IDs let a reference resolve to a different element than the one we read.
  const ids = new Set<string>();
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i += 1) {
    const v = all.item(i)?.getAttribute('ID');
    if (v) {
      if (ids.has(v)) fail('duplicate ID attribute');
      ids.add(v);
    }
  }
  const signatureNode = direct[0] as XmlElement;
  for (const cert of certificatesPem) {
    // Default idAttributes (Id, ID, id) already include ID; naming it again makes xml-crypto see every ID twice.
    const sig = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
    sig.loadSignature(signatureNode);
    let ok: boolean;
    try {
      ok = sig.checkSignature(xml);
    } catch {
      ok = false;
    }
    if (!ok) continue;
    const refs = sig.getReferences();
    if (refs.length !== 1) fail('expected exactly one Reference');
    const ref = refs[0];
    if (!ref || ref.uri !== `#${id}`) fail('Reference does not point at the root element');
    for (const t of ref?.transforms ?? []) if (!ALLOWED_TRANSFORMS.has(t)) fail(`transform ${t} not accepted`);
    const signed = sig.getSignedReferences();
    if (signed.length !== 1 || signed[0] === undefined) fail('no signed reference');
    const signedDoc = parseSamlXml(signed[0] as string);
    const signedRoot = signedDoc.documentElement ?? fail('signed reference empty');
    if (signedRoot.namespaceURI !== root.namespaceURI || signedRoot.localName !== root.localName || attr(signedRoot, 'ID') !== id) fail('signed reference is not the root');
    return { doc: signedDoc, root: signedRoot, verifiedBy: cert };
  }
  return fail('signature does not verify with the configured certificate');
}
