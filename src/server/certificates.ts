/**
 * Certificate generation and checks, with no file access: a local CA, server certificates
 * and mTLS client certificates (ECDSA P-256). `tls.ts` decides when to call these and where
 * the results live.
 */
import { createPrivateKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type * as x509 from '@peculiar/x509';
import { type GrantedRole, grantedRoles, isGrantedRole, isWildcardAddress, RegistryError } from '../domain/index.js';

type X509Library = typeof import('@peculiar/x509');
let x509Library: Promise<X509Library> | undefined;

/**
 * The certificate generator, loaded the first time a certificate is made: it is the slowest
 * module of the server to load, and a start whose certificates are in place, or a CLI command
 * that only reads the data folder, never needs it. Checks use node:crypto alone.
 */
const generator = (): Promise<X509Library> =>
  (x509Library ??= (async () => {
    await import('reflect-metadata');
    const library = await import('@peculiar/x509');
    library.cryptoProvider.set(webcrypto);
    return library;
  })());

/** A certificate with its private key, both PEM (the key as PKCS#8). */
export interface CertificatePair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** The names a server certificate must cover. */
export interface ServerNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}


export const CA_COMMON_NAME = 'service-registry local CA';
export const DEFAULT_CA_VALIDITY_YEARS = 10;
export const DEFAULT_SERVER_VALIDITY_YEARS = 2;
export const DEFAULT_CLIENT_VALIDITY_YEARS = 1;
/** A server certificate closer than this to its end is issued again. */
export const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

const ORGANIZATION = 'service-registry';
const BACKDATE_MS = 60 * 60 * 1000; // tolerate an hour of clock skew between hosts
const P256: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const webCurves: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

interface Signer {
  readonly cert: x509.X509Certificate;
  readonly key: webcrypto.CryptoKey;
  readonly algorithm: webcrypto.EcdsaParams | webcrypto.Algorithm;
}

export interface LeafRequest {
  readonly subject: x509.JsonName;
  readonly years: number;
  readonly extensions: readonly x509.Extension[];
  readonly now: Date;
}

const addYears = (date: Date, years: number): Date => {
  const next = new Date(date.getTime());
  next.setUTCFullYear(next.getUTCFullYear() + years);
  return next;
};

/** A positive 128-bit serial number, as hexadecimal. */
const serialNumber = (): string => {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
};

const exportKeyPem = (key: webcrypto.CryptoKey): string =>
  KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();

const generateKeys = (): Promise<webcrypto.CryptoKeyPair> =>
  webcrypto.subtle.generateKey(P256, true, ['sign', 'verify']);

/** Creates a self-signed CA that may sign certificates and CRLs and nothing else. */
export async function createCertificateAuthority(now: Date): Promise<CertificatePair> {
  const x509 = await generator();
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [CA_COMMON_NAME] }, { O: [ORGANIZATION] }],
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: addYears(now, DEFAULT_CA_VALIDITY_YEARS),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: exportKeyPem(keys.privateKey) };
}

async function importSigner(x509: X509Library, ca: CertificatePair): Promise<Signer> {
  const keyObject = createPrivateKey(ca.keyPem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const cert = new x509.X509Certificate(ca.certPem);
  if (keyObject.asymmetricKeyType === 'ec') {
    const namedCurve = webCurves[keyObject.asymmetricKeyDetails?.namedCurve ?? ''];
    if (namedCurve !== undefined) {
      const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve }, false, ['sign']);
      return { cert, key, algorithm: { name: 'ECDSA', hash: 'SHA-256' } };
    }
  }
  if (keyObject.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return { cert, key, algorithm };
  }
  throw new RegistryError('config_invalid', 'the CA key must be an RSA or ECDSA (P-256/384/521) key', {
    details: { keyType: keyObject.asymmetricKeyType },
  });
}

export async function issueLeaf(ca: CertificatePair, request: LeafRequest): Promise<CertificatePair> {
  const x509 = await generator();
  const signer = await importSigner(x509, ca);
  const keys = await generateKeys();
  const caKeyId = signer.cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: request.subject,
    issuer: signer.cert.subjectName,
    notBefore: new Date(request.now.getTime() - BACKDATE_MS),
    notAfter: addYears(request.now, request.years),
    signingAlgorithm: signer.algorithm,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ...request.extensions,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ...(caKeyId === undefined ? [] : [new x509.AuthorityKeyIdentifierExtension(caKeyId)]),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: exportKeyPem(keys.privateKey) };
}

/** Issues a server certificate (EKU serverAuth) for the given DNS names and IP addresses. */
export async function issueServerCertificate(ca: CertificatePair, names: ServerNames, now: Date): Promise<CertificatePair> {
  const x509 = await generator();
  const san: x509.JsonGeneralNames = [
    ...names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...names.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  return issueLeaf(ca, {
    subject: [{ CN: [names.dnsNames[0] ?? 'localhost'] }, { O: [ORGANIZATION] }],
    years: DEFAULT_SERVER_VALIDITY_YEARS,
    now,
    extensions: [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(san),
    ],
  });
}

const CLIENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Issues an mTLS client certificate (EKU clientAuth): `CN=name, OU=role, O=service-registry`. */
export async function issueClientCertificateWith(
  ca: CertificatePair,
  client: { readonly name: string; readonly role: GrantedRole },
  now: Date,
): Promise<CertificatePair> {
  if (!CLIENT_NAME_PATTERN.test(client.name)) {
    throw new RegistryError('invalid_params', `a client name must match ${String(CLIENT_NAME_PATTERN)}`, {
      details: { name: client.name },
    });
  }
  if (!isGrantedRole(client.role)) {
    throw new RegistryError('invalid_params', `a client role must be one of ${grantedRoles.join(', ')}`, {
      details: { role: client.role },
    });
  }
  const x509 = await generator();
  return issueLeaf(ca, {
    subject: [{ CN: [client.name] }, { OU: [client.role] }, { O: [ORGANIZATION] }],
    years: DEFAULT_CLIENT_VALIDITY_YEARS,
    now,
    extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
  });
}

/**
 * Why a server certificate cannot be used as it is, or undefined when it can: the key must
 * match, the CA must have signed it, it must cover every wanted name and not be about to expire.
 */
export function serverCertificateProblem(
  caPem: string,
  pair: CertificatePair,
  names: ServerNames,
  now: Date,
): string | undefined {
  let ca: X509Certificate;
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    ca = new X509Certificate(caPem);
    cert = new X509Certificate(pair.certPem);
    key = createPrivateKey(pair.keyPem);
  } catch (error) {
    return `it does not parse (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!cert.checkPrivateKey(key)) return 'its key file holds a different key';
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'it is signed by a different CA';
  if (Date.parse(cert.validTo) - now.getTime() < RENEW_BEFORE_MS) return `it expires on ${cert.validTo}`;
  const missing = [
    ...names.dnsNames.filter((name) => cert.checkHost(name, { subject: 'never' }) === undefined),
    ...names.ipAddresses.filter((ip) => cert.checkIP(ip) === undefined),
  ];
  return missing.length > 0 ? `it does not cover ${missing.join(', ')}` : undefined;
}

/** Whether the key belongs to the certificate; false when either does not parse. */
export function keyMatchesCertificate(pair: CertificatePair): boolean {
  try {
    return new X509Certificate(pair.certPem).checkPrivateKey(createPrivateKey(pair.keyPem));
  } catch {
    return false;
  }
}

/** Splits and normalises wanted names: IP literals go to addresses, unspecified addresses are dropped. */
export function normaliseServerNames(hostnames: readonly string[], addresses: readonly string[]): ServerNames {
  const dnsNames = new Set<string>();
  const ipAddresses = new Set<string>();
  const add = (raw: string, mustBeAddress: boolean): void => {
    const value = raw.trim().replace(/^\[(.*)\]$/, '$1');
    const address = value.replace(/%.*$/, ''); // an IPv6 zone id is not part of the address
    if (isIP(address) !== 0) {
      if (!isWildcardAddress(address)) ipAddresses.add(address.toLowerCase());
    } else if (mustBeAddress) {
      throw new RegistryError('config_invalid', `'${raw}' is not an IP address`, { details: { address: raw } });
    } else if (value.length > 0) {
      dnsNames.add(value.toLowerCase());
    }
  };
  for (const name of hostnames) add(name, false);
  for (const address of addresses) add(address, true);
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

/** SHA-256 of the first certificate in `pem`, as colon-separated uppercase hex (like openssl). */
export function certificateFingerprint(pem: string): string {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch (error) {
    throw new RegistryError('invalid_params', 'the text is not a PEM certificate', { cause: error });
  }
}

/**
 * Decodes the role from a peer certificate subject (`getPeerCertificate().subject`): the subject
 * must carry exactly one `OU`, and it must name a role. `OU=admin, OU=ops` is refused, not read as
 * admin: a certificate whose subject says two things is not trusted to mean either.
 */
export function clientRoleFromSubject(subject: unknown): GrantedRole | undefined {
  if (typeof subject !== 'object' || subject === null || !('OU' in subject)) return undefined;
  const units: unknown[] = Array.isArray(subject.OU) ? subject.OU : [subject.OU];
  const [only] = units;
  return units.length === 1 && isGrantedRole(only) ? only : undefined;
}
