import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from '../common/atomicWriteFile';

/** The sandbox sign-in's signing key: RSA 2048, and the `kid` its tokens and its JWKS name it by. */
export interface LoginKey {
  privateKey: KeyObject;
  kid: string;
  /** The public half as a JWK, as Entra's `discovery/v2.0/keys` lists its keys. */
  jwk: Record<string, string>;
}

/**
 * The key under `dataDir/sandbox-login/signing-key.pem`, made on the first start: tokens a tab
 * keeps in its session stay valid across a restart of the sandbox, as Entra's keys outlive its servers.
 */
export async function loadLoginKey(dataDir: string): Promise<LoginKey> {
  const file = path.join(dataDir, 'sandbox-login', 'signing-key.pem');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await atomicWriteFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  }
  const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { n: string; e: string };
  // Entra's kids are opaque; a thumbprint of the modulus keeps ours stable for the same key.
  const kid = createHash('sha256').update(publicJwk.n).digest('base64url').slice(0, 27);
  return { privateKey, kid, jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid, n: publicJwk.n, e: publicJwk.e } };
}
