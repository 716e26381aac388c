/**
 * An enrollment as it may leave the bot: the attestation mechanism reduced to what is not a
 * secret of the device. Symmetric keys, TPM endorsement and storage root keys and the
 * certificates themselves are dropped; the type, certificate info (subject, thumbprints,
 * validity) and CA reference names stay. Built from an allow-list, so a secret field DPS
 * adds later is left out too.
 */
export function withoutAttestationSecrets<T extends object>(enrollment: T): T {
  return { ...enrollment, attestation: redactAttestation((enrollment as { attestation?: unknown }).attestation) };
}

type Json = Record<string, unknown>;

function redactAttestation(attestation: unknown): Json | undefined {
  if (!isObject(attestation)) return undefined;
  const redacted: Json = { type: attestation.type };
  if (attestation.type === 'x509' && isObject(attestation.x509)) {
    const x509 = attestation.x509;
    redacted.x509 = {
      ...(isObject(x509.clientCertificates) && { clientCertificates: certificateInfoOnly(x509.clientCertificates) }),
      ...(isObject(x509.signingCertificates) && { signingCertificates: certificateInfoOnly(x509.signingCertificates) }),
      ...(isObject(x509.caReferences) && { caReferences: caReferenceNames(x509.caReferences) }),
    };
  }
  return redacted;
}

function certificateInfoOnly(pair: Json): Json {
  const out: Json = {};
  for (const slot of ['primary', 'secondary'] as const) {
    const entry = pair[slot];
    if (isObject(entry) && isObject(entry.info)) out[slot] = { info: { ...entry.info } };
  }
  return out;
}

function caReferenceNames(references: Json): Json {
  const out: Json = {};
  for (const slot of ['primary', 'secondary'] as const) {
    if (typeof references[slot] === 'string') out[slot] = references[slot];
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
