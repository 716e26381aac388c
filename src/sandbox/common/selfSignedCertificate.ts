import { X509Certificate, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIPv4 } from 'node:net';

/** A certificate and its private key, both PEM encoded. */
export interface PemKeyPair {
  /** The X.509 certificate (`-----BEGIN CERTIFICATE-----`). */
  cert: string;
  /** The PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`). */
  key: string;
}

/** What the certificate is issued to. */
export interface SelfSignedCertificateOptions {
  commonName: string;
  /** IPv4 addresses and DNS names put in subjectAltName (Node checks these, not the common name). */
  subjectAltNames: readonly string[];
  validDays: number;
}

const OID = {
  commonName: '2.5.4.3',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
} as const;

/**
 * Creates a self-signed P-256 certificate for a local TLS server.
 *
 * Node can parse certificates but not issue them, and the sandbox must not
 * depend on an `openssl` binary, so the few DER structures are written here.
 * The certificate is its own CA (basicConstraints CA:TRUE) so a client can
 * trust it directly (`ca` option or `NODE_EXTRA_CA_CERTS`).
 */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions): PemKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = sequence(set(sequence(oid(OID.commonName), tlv(0x0c, Buffer.from(options.commonName, 'utf8')))));
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + options.validDays * 86_400_000);
  const signatureAlgorithm = sequence(oid(OID.ecdsaWithSha256));
  const tbsCertificate = sequence(
    tlv(0xa0, derInteger(Buffer.from([2]))), // version 3
    derInteger(randomBytes(16)),
    signatureAlgorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, sequence(
      extension(OID.basicConstraints, true, sequence(tlv(0x01, Buffer.from([0xff])))),
      extension(OID.subjectAltName, false, sequence(...options.subjectAltNames.map(generalName))),
    )),
  );
  const signature = sign('sha256', tbsCertificate, privateKey);
  const der = sequence(tbsCertificate, signatureAlgorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const cert = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  if (!new X509Certificate(cert).verify(publicKey)) {
    throw new Error('generated certificate does not verify');
  }
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function generalName(value: string): Buffer {
  return isIPv4(value)
    ? tlv(0x87, Buffer.from(value.split('.').map(Number)))
    : tlv(0x82, Buffer.from(value, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), tlv(0x01, Buffer.from([0xff])), tlv(0x04, value))
    : sequence(oid(id), tlv(0x04, value));
}

function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  // UTCTime up to 2049, GeneralizedTime from 2050 on (RFC 5280 4.1.2.5).
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) groups.unshift((value & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A DER INTEGER of an unsigned big-endian value: minimal length (no leading zero bytes), never negative. */
export function derInteger(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const minimal = unsigned.subarray(start);
  return tlv(0x02, minimal[0] & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function sequence(...parts: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(parts));
}

function set(...parts: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(parts));
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

function length(value: number): Buffer {
  if (value < 0x80) return Buffer.from([value]);
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest >>>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
