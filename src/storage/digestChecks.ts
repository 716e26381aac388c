import { ChainHead } from '../dsr';
import { AuditDigest, StoredDigest } from './auditDigests';
import { AuditEntry, ChainBreak, GENESIS } from './tableAuditLog';

/**
 * The audit chains checked against the digests written of them (auditDigests.ts): pure
 * functions, run by `npm run audit:verify`.
 */

/**
 * How far an entry may be dated before a digest that does not include it and still count as
 * appended while that digest read the heads: an entry's time is taken just before it is
 * written, and instances' clocks differ a little.
 */
export const ANCHOR_GRACE_MS = 5 * 60 * 1000;

/** Something wrong with one blob of the digests container. */
export interface DigestBreak {
  digest: string;
  problem: string;
}

/** The last sound digest that lists a request, and the head it lists. */
export interface Coverage {
  digest: AuditDigest;
  head: ChainHead;
}

export interface DigestFindings {
  /** Digests that do not verify, or do not follow the one before. */
  breaks: DigestBreak[];
  /** Chains that went back between two digests: cut shorter, or gone from the later one. */
  chainBreaks: ChainBreak[];
  /** Per request id, the last sound digest listing it. */
  coverage: Map<string, Coverage>;
  /** The newest sound digest. */
  latest?: AuditDigest;
  /** Sound digests. */
  sound: number;
}

/** The words for a digest in a finding. */
export const digestLabel = (digest: AuditDigest) => `digest no. ${digest.sequence} of ${digest.at}`;

/**
 * Checks the digests among themselves, in sequence order: each must verify (readDigest), chain
 * to the root of the sound one before it, and no chain may be shorter in a later digest than in
 * an earlier one, or missing from it.
 */
export function checkDigests(stored: readonly StoredDigest[]): DigestFindings {
  const breaks: DigestBreak[] = [];
  const chainBreaks = new Map<string, ChainBreak>();
  const coverage = new Map<string, Coverage>();
  let previous: AuditDigest | undefined;
  let sound = 0;
  for (const { name, digest, problem } of stored) {
    if (!digest) {
      breaks.push({ digest: name, problem: problem ?? 'it cannot be read' });
      continue;
    }
    sound++;
    if (previous && digest.previousRoot !== previous.root) {
      breaks.push({ digest: name, problem: `it does not follow ${digestLabel(previous)}: a digest between them was deleted or replaced` });
    } else if (!previous && digest.previousRoot !== GENESIS) {
      breaks.push({ digest: name, problem: 'it follows no sound digest: the digests before it were deleted or altered' });
    }
    const listed = new Set(digest.heads.map((h) => h.requestId));
    for (const [requestId, before] of coverage) {
      if (!listed.has(requestId) && before.digest === previous && !chainBreaks.has(requestId)) {
        chainBreaks.set(requestId, { requestId, problem: `${digestLabel(previous)} anchored its chain of ${before.head.count} entries, ${digestLabel(digest)} no longer lists it: its chain (or anchor) was deleted between them` });
      }
    }
    for (const head of digest.heads) {
      const before = coverage.get(head.requestId);
      if (before && head.count < before.head.count && !chainBreaks.has(head.requestId)) {
        chainBreaks.set(head.requestId, {
          requestId: head.requestId,
          problem: `${digestLabel(digest)} anchors ${head.count} entries, the earlier ${digestLabel(before.digest)} anchored ${before.head.count}: the chain was cut back between them`,
        });
      }
      coverage.set(head.requestId, { digest, head });
    }
    previous = digest;
  }
  return { breaks, chainBreaks: [...chainBreaks.values()], coverage, latest: previous, sound };
}

/**
 * Where one chain, intact in itself (chainBreak), departs from the digests: the entry at the
 * position the last digest listing it anchored must still be there with the same hash; legacy
 * (plain SHA-256) entries may only come before that position, and none at all in a chain no
 * digest lists once digests exist; an entry not yet anchored must not be dated well before the
 * newest digest, which would have listed it. Also counts the entries not yet anchored.
 */
export function anchorBreak(
  requestId: string,
  entries: readonly AuditEntry[],
  coverage: Coverage | undefined,
  latest: AuditDigest | undefined,
): { break?: ChainBreak; unanchored: number } {
  const anchoredCount = coverage?.head.count ?? 0;
  const unanchored = Math.max(0, entries.length - anchoredCount);
  const broken = (sequence: number | undefined, problem: string) => ({ break: { requestId, ...(sequence ? { sequence } : {}), problem }, unanchored });
  if (coverage) {
    const { digest, head } = coverage;
    if (entries.length < head.count) {
      const gone = head.count === entries.length + 1 ? `entry ${head.count} is gone` : `entries ${entries.length + 1} to ${head.count} are gone`;
      return broken(entries.length + 1, `${gone}: ${digestLabel(digest)} anchored ${head.count} entries, the chain now ends at ${entries.length} (cut back together with its anchor)`);
    }
    if (entries[head.count - 1].hash !== head.hash) {
      return broken(head.count, `entry ${head.count} is not the entry ${digestLabel(digest)} anchored: the chain was rewritten up to there (hashes recomputed without the audit key)`);
    }
  }
  // Digests are written by the code that seals entries: a legacy entry after one was written is a forgery.
  const legacyUpTo = coverage ? anchoredCount : latest ? 0 : Infinity;
  const legacy = entries.find((e) => e.alg === undefined && e.sequence > legacyUpTo);
  if (legacy) {
    const where = coverage ? `after the entry ${digestLabel(coverage.digest)} anchored` : `in a chain no digest lists (the last is ${digestLabel(latest!)})`;
    return broken(legacy.sequence, `entry ${legacy.sequence} (${legacy.event}) has a plain SHA-256 hash ${where}, yet every entry written since digests exist is sealed with the audit key: it was added or rewritten without the key`);
  }
  if (latest) {
    const backdated = entries.slice(anchoredCount).find((e) => Date.parse(e.at) < Date.parse(latest.at) - ANCHOR_GRACE_MS);
    if (backdated) {
      return broken(backdated.sequence, `entry ${backdated.sequence} (${backdated.event}) is dated ${backdated.at}, before ${digestLabel(latest)}, which does not include it: it was added afterwards with a back-dated time`);
    }
  }
  return { unanchored };
}

/**
 * Request ids a digest lists whose chain, or request row, is gone. `requestIds`: the request
 * rows there are, when the verifier was given the request store.
 */
export function missingChains(coverage: ReadonlyMap<string, Coverage>, chains: ReadonlySet<string>, requestIds?: ReadonlySet<string>): ChainBreak[] {
  const breaks: ChainBreak[] = [];
  for (const [requestId, { digest, head }] of coverage) {
    const rowGone = requestIds !== undefined && !requestIds.has(requestId);
    if (!chains.has(requestId)) {
      breaks.push({ requestId, problem: `its chain is gone${rowGone ? ', and its request row too' : ''}: ${digestLabel(digest)} anchored ${head.count} entries of it` });
    } else if (rowGone) {
      breaks.push({ requestId, problem: `its request row is gone, though ${digestLabel(digest)} anchors its chain of ${head.count} entries` });
    }
  }
  return breaks;
}
