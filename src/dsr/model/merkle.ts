import { createHash } from 'node:crypto';

/**
 * The Merkle root of the audit digests: one SHA-256 tree over every chain's head, so that one
 * short value posted outside the store stands for all of them.
 *
 * Leaves and inner nodes are hashed with different prefixes (0x00, 0x01, as RFC 6962 does), so
 * no inner node can pass for a leaf. A node without a partner on its level moves up unchanged
 * rather than being paired with itself: duplicating it would let two different lists of heads
 * share a root (the flaw of Bitcoin's tree, CVE-2012-2459).
 */

/** One chain's head as a digest lists it: the request, how many entries, the last entry's hash. */
export interface ChainHead {
  requestId: string;
  count: number;
  hash: string;
}

const sha256 = (...parts: (string | Buffer)[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

/** The root over an empty list: SHA-256 of nothing, as RFC 6962 defines it. */
export const EMPTY_ROOT = sha256('');

/** The leaf of one head: SHA-256 of 0x00 and the head as JSON (request id, count, hash, in that order). */
export function headLeaf(head: ChainHead): string {
  return sha256(Buffer.from([0]), JSON.stringify({ requestId: head.requestId, count: head.count, hash: head.hash }));
}

/** The root of a tree whose leaves (hex SHA-256 values) are in the order given. */
export function merkleRoot(leaves: readonly string[]): string {
  if (leaves.length === 0) return EMPTY_ROOT;
  let level = [...leaves];
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? sha256(Buffer.from([1]), Buffer.from(level[i], 'hex'), Buffer.from(level[i + 1], 'hex')) : level[i]);
    }
    level = next;
  }
  return level[0];
}

/**
 * The root over chain heads, whatever order they come in: sorted by request id first (by code
 * unit, not by locale, so every machine sorts alike).
 */
export function headsRoot(heads: readonly ChainHead[]): string {
  const sorted = [...heads].sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
  return merkleRoot(sorted.map(headLeaf));
}
