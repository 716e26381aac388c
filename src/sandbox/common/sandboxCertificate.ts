import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSelfSignedCertificate, type PemKeyPair } from './selfSignedCertificate';

/** The sandbox certificate's file, for `NODE_EXTRA_CA_CERTS`: `<dataDir>/sandbox/tls/cert.pem`. */
export function sandboxCertificatePath(dataDir: string): string {
  return join(dataDir, 'sandbox', 'tls', 'cert.pem');
}

/**
 * The TLS certificate all sandbox services under `dataDir` share, created on
 * first use for 127.0.0.1 and localhost. It lives with the data so that a
 * process started later can trust it through `NODE_EXTRA_CA_CERTS`.
 *
 * Synchronous on purpose: services started side by side in one process must
 * not each create a different certificate.
 */
export function ensureSandboxCertificate(dataDir: string): PemKeyPair {
  const certPath = sandboxCertificatePath(dataDir);
  const keyPath = join(dataDir, 'sandbox', 'tls', 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  }
  const pair = createSelfSignedCertificate({
    commonName: 'DSR Bot local sandbox',
    subjectAltNames: ['127.0.0.1', 'localhost'],
    validDays: 3650,
  });
  mkdirSync(join(dataDir, 'sandbox', 'tls'), { recursive: true });
  writeAtomicallySync(keyPath, pair.key, 0o600);
  writeAtomicallySync(certPath, pair.cert, 0o644);
  return pair;
}

function writeAtomicallySync(filePath: string, content: string, mode: number): void {
  const temporaryPath = `${filePath}.${process.pid}.tmp`;
  writeFileSync(temporaryPath, content, { mode });
  renameSync(temporaryPath, filePath);
}
