import { X509Certificate, randomBytes } from 'node:crypto';
import { createSelfSignedCertificate } from '../common/selfSignedCertificate';
import { dpsBadRequest } from './dpsErrors';
import { ATTESTATION_TYPES, type AttestationMechanism, type AttestationType, type X509CertificateWithInfo } from './dpsModel';

/** DPS generates 64-byte keys when an enrollment is created without its own. */
const GENERATED_KEY_BYTES = 64;

/**
 * Completes an attestation mechanism as DPS does on create: symmetric keys are generated when
 * absent, an X.509 certificate gets its parsed `info`. The seed may leave the secrets out
 * entirely (`generateMissing`): the sandbox then makes a TPM endorsement key or a client
 * certificate, so every kind of secret exists in the sandbox for the adapter to leave out.
 * @throws 400 for an unknown type or a mechanism missing what its type needs.
 */
export function completeAttestation(input: unknown, options: { generateMissing: boolean; commonName: string }): AttestationMechanism {
  if (!isObject(input)) throw dpsBadRequest('The attestation mechanism is required.');
  const type = input.type;
  if (typeof type !== 'string' || !(ATTESTATION_TYPES as readonly string[]).includes(type)) {
    throw dpsBadRequest('The attestation type is not valid.');
  }
  const attestation = structuredClone(input) as unknown as AttestationMechanism;
  switch (type as AttestationType) {
    case 'symmetricKey':
      attestation.symmetricKey = {
        primaryKey: attestation.symmetricKey?.primaryKey ?? generatedKey(),
        secondaryKey: attestation.symmetricKey?.secondaryKey ?? generatedKey(),
      };
      break;
    case 'tpm':
      if (!attestation.tpm?.endorsementKey) {
        if (!options.generateMissing) throw dpsBadRequest('A TPM attestation needs an endorsement key.');
        attestation.tpm = { endorsementKey: randomBytes(256).toString('base64') };
      }
      break;
    case 'x509':
      attestation.x509 = completeX509(attestation.x509, options);
      break;
    case 'none':
      break;
  }
  return attestation;
}

function completeX509(x509: AttestationMechanism['x509'], options: { generateMissing: boolean; commonName: string }): AttestationMechanism['x509'] {
  if (!x509?.clientCertificates?.primary && !x509?.signingCertificates?.primary && !x509?.caReferences?.primary) {
    if (!options.generateMissing) throw dpsBadRequest('An X.509 attestation needs a certificate or a CA reference.');
    return { clientCertificates: { primary: withInfo(pemBody(deviceCertificate(options.commonName))) } };
  }
  const complete = structuredClone(x509);
  for (const pair of [complete.clientCertificates, complete.signingCertificates]) {
    if (!pair) continue;
    if (pair.primary) pair.primary = withInfo(pair.primary.certificate);
    if (pair.secondary) pair.secondary = withInfo(pair.secondary.certificate);
  }
  return complete;
}

/** A self-signed device certificate. */
function deviceCertificate(commonName: string): string {
  return createSelfSignedCertificate({ commonName, subjectAltNames: [], validDays: 365 }).cert;
}

/** A certificate (PEM or base64 DER) with the `info` DPS derives from it. */
function withInfo(certificate: string | undefined): X509CertificateWithInfo {
  if (typeof certificate !== 'string' || certificate === '') throw dpsBadRequest('An X.509 certificate entry needs its certificate.');
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(certificate.includes('-----BEGIN') ? certificate : Buffer.from(certificate, 'base64'));
  } catch {
    throw dpsBadRequest('The X.509 certificate could not be parsed.');
  }
  return {
    certificate,
    info: {
      subjectName: distinguishedName(parsed.subject),
      sha1Thumbprint: parsed.fingerprint.replace(/:/g, ''),
      sha256Thumbprint: parsed.fingerprint256.replace(/:/g, ''),
      issuerName: distinguishedName(parsed.issuer),
      notBeforeUtc: new Date(parsed.validFrom).toISOString(),
      notAfterUtc: new Date(parsed.validTo).toISOString(),
      serialNumber: parsed.serialNumber.toUpperCase(),
      version: 3,
    },
  };
}

function distinguishedName(multiline: string): string {
  return multiline.split('\n').filter(Boolean).join(', ');
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function generatedKey(): string {
  return randomBytes(GENERATED_KEY_BYTES).toString('base64');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
