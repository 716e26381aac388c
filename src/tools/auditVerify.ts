import { ConfigError, loadConfig } from '../config';
import { keptRecordHash, RecordsStore, systemClock } from '../dsr';
import { loadTenant } from '../sandbox/tenant';
import { listDigests, StoredDigest } from '../storage/auditDigests';
import { loadAuditKey } from '../storage/auditKey';
import { recordVerification } from '../storage/auditVerifications';
import { createStorageClients } from '../storage/storageClients';
import { anchorBreak, checkDigests, DigestBreak, missingChains } from '../storage/digestChecks';
import { ChainBreak, TableAuditLog } from '../storage/tableAuditLog';
import { TableRequestStore } from '../storage/tableRequestStore';

/**
 * `npm run audit:verify`: walks every request's audit chain in the Storage account the settings
 * name (Azurite in sandbox mode) and names the first broken entry of each broken chain: an entry
 * altered or forged (its HMAC under the audit key no longer matches), missing from the middle, or
 * missing from the end (which only the chain's anchor shows). Then it checks the chains against
 * the digests in the `audit-digests` container: each digest's own HMAC, Merkle root and place in
 * the chain of roots; each chain against the last digest that lists it (the anchored entry still
 * there, with the same hash); chains or request rows a digest lists that are gone. It also checks
 * every request has a chain, and that a request pseudonymised by retention is still the record
 * whose SHA-256 its 'pseudonymised' entry keeps. Exit code 0: all intact; 1: broken; 2: could
 * not check.
 */

export interface AuditVerification {
  chains: number;
  entries: number;
  /** Entries with a plain SHA-256 hash, written before the audit key: still checked, but anyone could have recomputed them. */
  legacyEntries: number;
  /** Sound digests read; 0 when the verifier was given none. */
  digests: number;
  /** The newest sound digest, if any. */
  lastDigest?: { sequence: number; at: string; chains: number };
  /** Entries written since the last digest listing their chain: not a failure, they are anchored by the next one. */
  unanchored: number;
  /** One per broken chain (its first break), plus requests without a chain or with a changed kept record. */
  breaks: ChainBreak[];
  /** Digest blobs that do not verify or do not follow the one before. */
  digestBreaks: DigestBreak[];
}

/**
 * Verifies the audit log (its key sealed the entries), against the request rows of `store` and
 * the digests of `digests` when given.
 */
export async function verifyAuditLog(log: TableAuditLog, store?: Pick<RecordsStore, 'listAll'>, digests?: { list(): Promise<StoredDigest[]> }): Promise<AuditVerification> {
  const chains = await log.allChains();
  const requests = store ? await store.listAll() : undefined;
  const findings = checkDigests(digests ? await digests.list() : []);
  const chainBreaks = new Map<string, ChainBreak>();
  const note = (b: ChainBreak) => {
    if (!chainBreaks.has(b.requestId)) chainBreaks.set(b.requestId, b);
  };
  let entries = 0;
  let legacyEntries = 0;
  let unanchored = 0;
  for (const [requestId, chain] of [...chains].sort(([a], [b]) => a.localeCompare(b))) {
    entries += chain.entries.length;
    legacyEntries += chain.entries.filter((e) => e.alg === undefined).length;
    const own = log.breakIn(requestId, chain);
    if (own) {
      note(own);
      continue;
    }
    const anchored = anchorBreak(requestId, chain.entries, findings.coverage.get(requestId), findings.latest);
    unanchored += anchored.unanchored;
    if (anchored.break) note(anchored.break);
  }
  for (const b of missingChains(findings.coverage, new Set(chains.keys()), requests && new Set(requests.map((r) => r.id)))) note(b);
  for (const b of findings.chainBreaks) note(b);

  const breaks = [...chainBreaks.values()];
  for (const request of requests ?? []) {
    const chain = chains.get(request.id);
    // A request is written just before its 'created' entry: one being filed this very moment shows here too.
    if (!chain) {
      if (!chainBreaks.has(request.id)) breaks.push({ requestId: request.id, problem: 'the request has no audit entries: its whole chain was deleted' });
      continue;
    }
    if (!request.pseudonymisedAt) continue;
    const kept = chain.entries.filter((e) => e.event === 'pseudonymised').at(-1)?.detail.keptSha256;
    if (!kept) breaks.push({ requestId: request.id, problem: 'the request was pseudonymised, but its chain has no pseudonymised entry' });
    else if (kept !== keptRecordHash(request)) {
      breaks.push({ requestId: request.id, problem: 'the pseudonymised record was changed after retention: it no longer matches the SHA-256 its pseudonymised entry keeps' });
    }
  }
  const latest = findings.latest;
  return {
    chains: chains.size,
    entries,
    legacyEntries,
    digests: findings.sound,
    ...(latest ? { lastDigest: { sequence: latest.sequence, at: latest.at, chains: latest.heads.length } } : {}),
    unanchored,
    breaks,
    digestBreaks: findings.breaks,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The verification as lines for a terminal. */
export function describeVerification(result: AuditVerification): string[] {
  const problems = result.breaks.length + result.digestBreaks.length;
  const legacy = result.legacyEntries
    ? ` (${plural(result.legacyEntries, 'legacy entry', 'legacy entries')} with a plain SHA-256 hash, written before the audit key: anyone with write access could have recomputed those)`
    : '';
  const last = result.lastDigest ? `, the last no. ${result.lastDigest.sequence} of ${result.lastDigest.at} listing ${plural(result.lastDigest.chains, 'chain')}` : '';
  return [
    `audit:verify: ${plural(result.chains, 'chain')}, ${plural(result.entries, 'entry', 'entries')} checked${legacy}`,
    `audit:verify: ${plural(result.digests, 'digest')} checked${last}; ${plural(result.unanchored, 'entry', 'entries')} not yet anchored (the next digest lists them)`,
    ...result.breaks.map((b) => `BROKEN ${b.requestId}: ${b.problem}`),
    ...result.digestBreaks.map((b) => `BROKEN digest ${b.digest}: ${b.problem}`),
    problems ? `FAILED: ${plural(problems, 'problem')} found` : 'OK: every chain is intact, matches its anchor and the digests',
  ];
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, loadTenant().approverGroup.id);
  const key = loadAuditKey(config.auditKey);
  const clients = createStorageClients(config);
  const log = new TableAuditLog(clients.audit, systemClock, key);
  const digests = { list: () => listDigests(clients.digests, key) };
  const result = await verifyAuditLog(log, new TableRequestStore(clients.requests, clients.counters), digests);
  for (const line of describeVerification(result)) console.log(line);
  const problems = result.breaks.length + result.digestBreaks.length;
  await recordVerification(clients.counters, { at: new Date().toISOString(), ok: problems === 0, chains: result.chains, problems });
  process.exit(result.breaks.length || result.digestBreaks.length ? 1 : 0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `audit:verify could not read the audit log: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  });
}
