import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PARSE_OPTIONS, formatIssues, serviceDefinitionSchema } from '../../../src/services/model.js';
import { SAMPLE_IDS, sample } from './samples.js';

/** The formatted `path: problem` lines for an input (empty when valid). */
function issues(input: unknown): string[] {
  const r = serviceDefinitionSchema.safeParse(input, PARSE_OPTIONS);
  return r.success ? [] : formatIssues(r.error);
}

function assertIssue(input: unknown, expected: string | RegExp): void {
  const found = issues(input);
  const hit = found.some((line) => (typeof expected === 'string' ? line === expected : expected.test(line)));
  assert.ok(hit, `expected issue ${String(expected)}, got:\n  ${found.join('\n  ') || '(valid)'}`);
}

const signingPem = readFileSync('test/fixtures/demo-eservices/demo-saml-signing.crt.pem', 'utf8');
const encryptionPem = readFileSync('test/fixtures/demo-eservices/demo-saml-encryption.crt.pem', 'utf8');

describe('SPEC §6 eService record schema', () => {
  for (const id of SAMPLE_IDS) {
    it(`accepts the sample ${id}`, () => assert.deepEqual(issues(sample(id)), []));
  }

  describe('strictness', () => {
    it('rejects unknown keys at every level, naming the key', () => {
      const s = sample('demo-saml');
      s.acs = ['https://x.example/acs'];
      s.protocols.saml.acss = [];
      s.agency.names.fr = 'x';
      assertIssue(s, 'acs: unknown field');
      assertIssue(s, 'protocols.saml.acss: unknown field');
      assertIssue(s, 'agency.names.fr: unknown field');
    });
  });

  describe('表8 application data', () => {
    it('統一編號: checksum, digits, and the YAML number trap', () => {
      const s = sample('demo-saml');
      s.agency.businessNumber = '04595253';
      assertIssue(s, 'agency.businessNumber: checksum of the 統一編號 is wrong (taiwan-pki §4.4)');
      s.agency.businessNumber = '4595252';
      assertIssue(s, 'agency.businessNumber: expected 8 digits (統一編號)');
      s.agency.businessNumber = 4595252; // what unquoted 04595252 becomes in YAML
      assertIssue(s, /^agency\.businessNumber: expected the 8-digit 統一編號 as a string/);
    });

    it('agency code, industry code, id slug, dates, e-mail, serial', () => {
      const s = sample('demo-saml');
      s.agency.code = '30100000a';
      s.agency.industryCode = '83';
      s.id = 'Demo_SAML';
      s.plannedTestDate = '2026-13-01';
      s.contacts.deputy.email = 'not-an-address';
      s.serverCertificateSerial = '0xZZ';
      assertIssue(s, 'agency.code: expected the 10-character 機關代碼 (digits and capital letters)');
      assertIssue(s, 'agency.industryCode: expected a 4- or 6-digit 行業標準分類 code');
      assertIssue(s, /^id: expected a slug/);
      assertIssue(s, 'plannedTestDate: expected a date YYYY-MM-DD');
      assertIssue(s, 'contacts.deputy.email: expected an e-mail address');
      assertIssue(s, /^serverCertificateSerial: expected the certificate serial as hex/);
    });

    it('activation period: until after from, test date before activation', () => {
      const s = sample('demo-saml');
      s.plannedActivation = { from: '2026-11-01', until: '2026-10-01' };
      assertIssue(s, 'plannedActivation.until: before plannedActivation.from');
      s.plannedActivation = { from: '2026-09-01' };
      assertIssue(s, 'plannedActivation.from: before plannedTestDate');
    });

    it('wrong types name the path', () => {
      const s = sample('demo-saml');
      s.maxConcurrentSessions = '200';
      s.approvedAttributes = 'ChineseName';
      assertIssue(s, /^maxConcurrentSessions: Invalid input: expected number, received string$/);
      assertIssue(s, /^approvedAttributes: Invalid input: expected array, received string$/);
      s.maxConcurrentSessions = 2.5;
      assertIssue(s, /^maxConcurrentSessions: /);
      s.maxConcurrentSessions = 0;
      assertIssue(s, /^maxConcurrentSessions: /);
    });

    it('missing required fields', () => {
      const s = sample('demo-soap');
      delete s.contacts.deputy;
      delete s.purpose;
      assertIssue(s, 'contacts.deputy: required');
      assertIssue(s, 'purpose: required');
    });
  });

  describe('attributes', () => {
    it('must exist in the data profile', () => {
      const s = sample('demo-saml');
      s.approvedAttributes.push('GivenNames'); // a de attribute, not tw
      assertIssue(s, /^approvedAttributes\[7\]: unknown attribute "GivenNames" for profile tw \(known: DocumentType, /);
      s.profile = 'de';
      assertIssue(s, /^approvedAttributes\[0\]: unknown attribute "ChineseName" for profile de/);
    });

    it('no duplicates; optional ⊆ approved; RestrictedID needs a sector', () => {
      const s = sample('demo-saml');
      s.approvedAttributes.push('Sex');
      s.optionalAttributes.push('Photo');
      delete s.riSector;
      assertIssue(s, 'approvedAttributes[7]: duplicate attribute Sex');
      assertIssue(s, 'optionalAttributes[2]: "Photo" is not among the approved attributes');
      assertIssue(s, 'riSector: required when RestrictedID is approved');
    });
  });

  describe('network', () => {
    it('IP allow-list entries are CIDR v4/v6 without host bits', () => {
      const s = sample('demo-soap');
      s.ipAllowList = ['198.51.100.17/29', '2001:db8::/129', '10.0.0.0/8', 'host.example'];
      assertIssue(s, 'ipAllowList[0]: host bits set in 198.51.100.17/29; use 198.51.100.16/29 for the network or /32 for one host');
      assertIssue(s, 'ipAllowList[1]: prefix length must be 0..128, got "129"');
      assertIssue(s, 'ipAllowList[3]: expected an IPv4 or IPv6 address or CIDR prefix, got "host.example"');
      assert.equal(issues(s).filter((l) => l.startsWith('ipAllowList[2]')).length, 0);
    });

    it('SOAP needs an allow-list', () => {
      const s = sample('demo-soap');
      s.ipAllowList = [];
      assertIssue(s, 'ipAllowList: required for the SOAP interface (表8 主機網路位址)');
    });
  });

  describe('protocols', () => {
    it('at least one protocol', () => {
      const s = sample('demo-saml');
      s.protocols = {};
      assertIssue(s, 'protocols: at least one of saml, oidc, soap');
    });

    it('SAML: https ACS, absolute entityId, separate signing and encryption certificates', () => {
      const s = sample('demo-saml');
      s.protocols.saml.acs = ['http://sp.example.gov.tw/acs', 'https://sp.example.gov.tw/acs#frag', 'https://u:p@sp.example.gov.tw/acs'];
      s.protocols.saml.entityId = 'not a uri';
      s.protocols.saml.encryptionCertificates = [signingPem];
      for (const i of [0, 1, 2]) assertIssue(s, `protocols.saml.acs[${i}]: expected an https URL (http only for loopback; no fragment, no credentials)`);
      assertIssue(s, 'protocols.saml.entityId: expected an absolute URI');
      assertIssue(s, /^protocols\.saml\.encryptionCertificates\[0\]: same certificate as a signing certificate/);
    });

    it('SAML: certificates are parsed; private keys are refused; metadata has exactly one source', () => {
      const s = sample('demo-saml');
      s.protocols.saml.signingCertificates = [signingPem.replace(/[A-Za-z]{20}/, 'AAAAAAAAAAAAAAAAAAAA'), signingPem + encryptionPem];
      s.protocols.saml.encryptionCertificates = ['-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n'];
      s.protocols.saml.metadata = { file: 'sp.xml', url: 'https://sp.example.gov.tw/metadata' };
      assertIssue(s, 'protocols.saml.signingCertificates[0]: not a parseable X.509 certificate (PEM)');
      assertIssue(s, 'protocols.saml.signingCertificates[1]: expected exactly one PEM CERTIFICATE block, found 2');
      assertIssue(s, /^protocols\.saml\.encryptionCertificates\[0\]: private key material must never be in the registry/);
      assertIssue(s, 'protocols.saml.metadata: exactly one of file, url');
    });

    it('SAML: without metadata both certificate kinds are required', () => {
      const s = sample('demo-saml');
      s.protocols.saml.encryptionCertificates = [];
      assertIssue(s, 'protocols.saml.encryptionCertificates: required when no metadata is given');
      s.protocols.saml.metadata = { url: 'https://sp.example.gov.tw/metadata', refreshSeconds: 3600 };
      // Fetched metadata is trusted only with a signature by a certificate registered here.
      assertIssue(s, 'protocols.saml.metadata.signingCertificate: required with url: fetched metadata must be signed');
      s.protocols.saml.metadata = { url: 'https://sp.example.gov.tw/metadata', refreshSeconds: 3600, signingCertificate: signingPem };
      assert.deepEqual(issues(s), []);
    });

    it('OIDC: key-based client auth, public JWKS only, jwks xor jwks_uri, enc needs alg', () => {
      const s = sample('demo-oidc');
      const o = s.protocols.oidc;
      o.token_endpoint_auth_method = 'client_secret_basic';
      assertIssue(s, /^protocols\.oidc\.token_endpoint_auth_method: only private_key_jwt is supported/);
      o.token_endpoint_auth_method = 'private_key_jwt';
      o.jwks.keys[0].d = 'c2VjcmV0';
      assertIssue(s, 'protocols.oidc.jwks.keys[0].d: private key member; the registry holds public keys only');
      delete o.jwks.keys[0].d;
      o.jwks_uri = 'https://rp.example.gov.tw/jwks';
      assertIssue(s, 'protocols.oidc.jwks: jwks and jwks_uri must not both be present (rfc7591 §2)');
      delete o.jwks;
      delete o.jwks_uri;
      assertIssue(s, 'protocols.oidc.jwks: private_key_jwt needs jwks or jwks_uri');
      o.jwks_uri = 'https://rp.example.gov.tw/jwks';
      delete o.id_token_encrypted_response_alg;
      assertIssue(s, 'protocols.oidc.id_token_encrypted_response_alg: required when id_token_encrypted_response_enc is given');
      o.redirect_uris = ['https://rp.example.gov.tw/cb#x'];
      assertIssue(s, /^protocols\.oidc\.redirect_uris\[0\]: expected an https URL/);
    });

    it('OIDC: only private_key_jwt; userinfo encryption needs alg and the client key', () => {
      const s = sample('demo-oidc');
      for (const method of ['tls_client_auth', 'client_secret_basic', 'none']) {
        s.protocols.oidc.token_endpoint_auth_method = method;
        assertIssue(s, /^protocols\.oidc\.token_endpoint_auth_method: only private_key_jwt is supported/);
      }
      s.protocols.oidc.token_endpoint_auth_method = 'private_key_jwt';
      s.protocols.oidc.userinfo_encrypted_response_enc = 'A256GCM';
      assertIssue(s, 'protocols.oidc.userinfo_encrypted_response_alg: required when userinfo_encrypted_response_enc is given');
      s.protocols.oidc.userinfo_signed_response_alg = 'HS256';
      assertIssue(s, /^protocols\.oidc\.userinfo_signed_response_alg: /);
    });

    it('SOAP: exactly one of certificate and fingerprint, fingerprint format', () => {
      const s = sample('demo-soap');
      s.protocols.soap.clientCertificate = signingPem;
      assertIssue(s, 'protocols.soap: exactly one of clientCertificate, clientCertificateSha256');
      delete s.protocols.soap.clientCertificate;
      s.protocols.soap.clientCertificateSha256 = 'ab:cd';
      assertIssue(s, /^protocols\.soap\.clientCertificateSha256: expected a SHA-256 fingerprint/);
    });

    it('SOAP: refreshAddress is https (http only to loopback), without fragment, credentials or the ResultMajor/ResultMinor the IdP appends', () => {
      const valid = ['https://bank.example.com.tw/eid/back', 'https://bank.example.com.tw/eid/back?step=2&lang=zh-TW', 'http://127.0.0.1:8080/back', 'http://localhost/back'];
      for (const refreshAddress of valid) {
        const s = sample('demo-soap');
        s.protocols.soap.refreshAddress = refreshAddress;
        assert.deepEqual(issues(s), [], refreshAddress);
        assert.equal(serviceDefinitionSchema.parse(s).protocols.soap?.refreshAddress, refreshAddress);
      }
      const https = 'protocols.soap.refreshAddress: expected an https URL (http only for loopback; no fragment, no credentials)';
      const refused: [string, string][] = [
        ['http://bank.example.com.tw/eid/back', https],
        ['http://10.0.0.1/eid/back', https],
        ['https://bank.example.com.tw/eid/back#done', https],
        ['https://u:p@bank.example.com.tw/eid/back', https],
        ['javascript:alert(1)', https],
        ['/eid/back', https],
        ['https://bank.example.com.tw/eid/back?ResultMajor=ok', 'protocols.soap.refreshAddress: must not carry ResultMajor or ResultMinor; the IdP appends them (tr03124-1 §2.5.4)'],
        ['https://bank.example.com.tw/eid/back?x=1&ResultMinor=', 'protocols.soap.refreshAddress: must not carry ResultMajor or ResultMinor; the IdP appends them (tr03124-1 §2.5.4)'],
      ];
      for (const [refreshAddress, expected] of refused) {
        const s = sample('demo-soap');
        s.protocols.soap.refreshAddress = refreshAddress;
        assert.deepEqual(issues(s), [expected], refreshAddress);
      }
    });
  });

  describe('terminal key references', () => {
    it('never the key itself; pkcs11 URIs without PIN values', () => {
      const s = sample('demo-saml');
      s.terminal.key = '-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----';
      assertIssue(s, 'terminal.key: expected a file path or pkcs11: URI, never the key or certificate itself');
      s.terminal.key = 'pkcs11:token=neid;object=demo-saml-terminal?pin-value=123456';
      assertIssue(s, /^terminal\.key: pin-value must not be stored in the registry/);
      s.terminal.key = 'https://keys.example/terminal.key';
      assertIssue(s, 'terminal.key: expected a file path or pkcs11: URI');
      s.terminal.key = 'pkcs11:token=neid;object=demo-saml-terminal;type=private';
      assert.deepEqual(issues(s), []);
    });

    it('operating states need a terminal certificate; drafts do not', () => {
      const s = sample('demo-saml');
      delete s.terminal;
      assertIssue(s, 'terminal: required in state active (the card reads nothing without a terminal certificate)');
      s.state = 'draft';
      assert.deepEqual(issues(s), []);
    });
  });

  it('rejects a state that does not exist', () => {
    const s = sample('demo-saml');
    s.state = 'enabled';
    assertIssue(s, /^state: Invalid option/);
  });
});
