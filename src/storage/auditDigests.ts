import { createHmac, timingSafeEqual } from 'node:crypto';
import { ContainerClient } from '@azure/storage-blob';
import { ChainHead, Clock, errorCode, headsRoot, Logger, statusCodeOf } from '../dsr';
import { GENESIS } from './tableAuditLog';

/**
 * Audit digests: every so often, the head of every audit chain in one JSON blob, with the Merkle
 * root over them (src/dsr/model/merkle.ts), the time, the previous digest's root (digests chain too)
 * and an HMAC of the whole under the audit key. Written create-only to the `audit-digests`
 * container, which in Azure has a locked time-based immutability policy: whoever can write the
 * tables (and the blobs) but not read the key can neither forge a digest nor rewrite one, so a
 * chain cut back, rewritten or deleted after a digest no longer matches it.
 *
 * Azurite does not enforce immutability policies: in the sandbox a digest blob can be
 * overwritten or deleted. Its HMAC and the chain of roots still show that (auditVerify.ts), but
 * the last digest deleted leaves no trace in the container; the compliance channel's post of
 * each digest does.
 */

/** The format written by this code; a digest of another version is not one the bot wrote. */
export const DIGEST_VERSION = 1;

export interface AuditDigest {
  version: number;
  /** 1, 2, 3… across all instances: the blob name holds it, so two writers of the same number get one winner. */
  sequence: number;
  /** When it was made, taken before the heads were read. */
  at: string;
  /** The root of the digest before (GENESIS for the first). */
  previousRoot: string;
  /** The Merkle root over `heads`. */
  root: string;
  /** Every chain's head, sorted by request id. */
  heads: ChainHead[];
  /** HMAC-SHA256 under the audit key of everything above. */
  hmac: string;
}

/** A digest's blob name: `digest-0000000042.json`, so names sort by sequence. */
export function digestName(sequence: number): string {
  return `digest-${String(sequence).padStart(10, '0')}.json`;
}

const DIGEST_NAME = /^digest-(\d{10})\.json$/;

function digestHmac(d: Omit<AuditDigest, 'hmac'>, key: Buffer): string {
  const heads = d.heads.map((h) => ({ requestId: h.requestId, count: h.count, hash: h.hash }));
  const canonical = JSON.stringify({ version: d.version, sequence: d.sequence, at: d.at, previousRoot: d.previousRoot, root: d.root, heads });
  return createHmac('sha256', key).update(canonical).digest('hex');
}

/** `unsealed` with its HMAC. */
export function sealDigest(unsealed: Omit<AuditDigest, 'hmac'>, key: Buffer): AuditDigest {
  return { ...unsealed, hmac: digestHmac(unsealed, key) };
}

/** A blob of the digests container as read: the digest when it is one the bot wrote and intact, else what is wrong with it. */
export interface StoredDigest {
  name: string;
  digest?: AuditDigest;
  problem?: string;
}

const isHex64 = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

function isDigest(value: unknown): value is AuditDigest {
  const d = value as Partial<AuditDigest> | null;
  return (
    !!d &&
    d.version === DIGEST_VERSION &&
    Number.isInteger(d.sequence) &&
    typeof d.at === 'string' &&
    !Number.isNaN(Date.parse(d.at)) &&
    isHex64(d.previousRoot) &&
    isHex64(d.root) &&
    isHex64(d.hmac) &&
    Array.isArray(d.heads) &&
    d.heads.every((h) => typeof h?.requestId === 'string' && Number.isInteger(h.count) && typeof h.hash === 'string')
  );
}

/** Reads one blob of the container and checks it: its name, its form, its HMAC under `key`, its root. */
export function readDigest(name: string, text: string, key: Buffer): StoredDigest {
  const number = DIGEST_NAME.exec(name)?.[1];
  if (!number) return { name, problem: 'this blob is not a digest the bot writes (its name is not digest-<number>.json): it was put there by someone else' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { name, problem: 'it is no longer JSON: it was overwritten' };
  }
  if (!isDigest(parsed)) return { name, problem: 'it is not in the form the bot writes: it was overwritten' };
  const expected = Buffer.from(digestHmac(parsed, key), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(parsed.hmac, 'hex'))) {
    return { name, problem: 'its HMAC does not match its content under the bot\'s audit key: it was altered, or written by someone without the key' };
  }
  if (parsed.sequence !== Number(number)) return { name, problem: `it holds digest no. ${parsed.sequence}: it was copied over another digest's name` };
  if (headsRoot(parsed.heads) !== parsed.root) return { name, problem: 'its Merkle root does not match the heads it lists' };
  return { name, digest: parsed };
}

/** Every blob of a digests container in name (so sequence) order, each read and checked under `key`. */
export async function listDigests(container: ContainerClient, key: Buffer): Promise<StoredDigest[]> {
  const stored: StoredDigest[] = [];
  for (const name of await blobNames(container)) stored.push(await readBlob(container, name, key));
  return stored;
}

async function blobNames(container: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat()) names.push(blob.name);
  return names.sort();
}

async function readBlob(container: ContainerClient, name: string, key: Buffer): Promise<StoredDigest> {
  return readDigest(name, (await container.getBlobClient(name).downloadToBuffer()).toString('utf8'), key);
}

/** Tells people a digest was written (the compliance channel): ids and counts only. Implemented by the bot. */
export interface DigestAnnouncer {
  announceDigest(digest: AuditDigest): Promise<void>;
}

export interface AuditDigestsDeps {
  container: ContainerClient;
  /** Every chain's head as the audit log has it now (TableAuditLog.heads). */
  heads: () => Promise<ChainHead[]>;
  key: Buffer;
  clock: Clock;
  log: Logger;
  announcer?: DigestAnnouncer;
}

/** Writers racing for the same sequence more often than this in a row give up until the next call. */
const MAX_ATTEMPTS = 5;

/** The digests container: writes the next digest, create-only, and reads them all back for the verifier. */
export class AuditDigests {
  constructor(private readonly deps: AuditDigestsDeps) {}

  /**
   * Writes a digest of every chain's head as they are now, unless there are none or nothing
   * changed since the last digest; returns it, or undefined. Create-only (`If-None-Match: *`):
   * a writer that lost the race for a number reads again and writes the next one. The digest is
   * then announced; an announcement that fails is logged, the digest stands.
   */
  async write(): Promise<AuditDigest | undefined> {
    const { container, clock, key, log } = this.deps;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // Taken before the heads are read: an entry dated before it that the digest lacks was appended while they were read, or back-dated.
      const at = clock.now().toISOString();
      const { nextSequence, latest } = await this.latest();
      const heads = [...(await this.deps.heads())].sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
      if (heads.length === 0) return undefined;
      const root = headsRoot(heads);
      if (latest?.root === root) return undefined;
      const digest = sealDigest({ version: DIGEST_VERSION, sequence: nextSequence, at, previousRoot: latest?.root ?? GENESIS, root, heads }, key);
      const body = JSON.stringify(digest, null, 2);
      try {
        await container.getBlockBlobClient(digestName(nextSequence)).upload(body, Buffer.byteLength(body), {
          conditions: { ifNoneMatch: '*' },
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
      } catch (error) {
        // 409 BlobAlreadyExists (or 412): another instance wrote this number first.
        const status = statusCodeOf(error);
        if (status === 409 || status === 412) continue;
        throw error;
      }
      log.info({ digest: digest.sequence, chains: heads.length }, 'audit digest written');
      try {
        await this.deps.announcer?.announceDigest(digest);
      } catch (error) {
        log.warn({ digest: digest.sequence, error: errorCode(error) }, 'audit digest not announced');
      }
      return digest;
    }
    throw new Error(`No audit digest written: ${MAX_ATTEMPTS} attempts in a row lost the race for the next number.`);
  }

  /** The newest digest that verifies, or undefined when there is none. */
  async latestDigest(): Promise<AuditDigest | undefined> {
    return (await this.latest()).latest;
  }

  /** Every blob of the container in name (so sequence) order, each read and checked. */
  list(): Promise<StoredDigest[]> {
    return listDigests(this.deps.container, this.deps.key);
  }

  /**
   * The number the next digest takes (one past the highest name, even one that does not verify,
   * so a blob planted under the next name cannot stop the digests) and the newest digest that
   * verifies, which the next one chains to.
   */
  private async latest(): Promise<{ nextSequence: number; latest?: AuditDigest }> {
    const { container, key } = this.deps;
    const names = (await blobNames(container)).filter((name) => DIGEST_NAME.test(name));
    const nextSequence = names.length ? Number(DIGEST_NAME.exec(names.at(-1)!)![1]) + 1 : 1;
    for (const name of [...names].reverse()) {
      const { digest } = await readBlob(container, name, key);
      if (digest) return { nextSequence, latest: digest };
    }
    return { nextSequence };
  }
}
