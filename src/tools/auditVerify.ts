import { ConfigError, loadConfig } from '../config';
import { systemClock } from '../dsr/clock';
import { RecordsStore } from '../dsr/ports';
import { keptRecordHash } from '../dsr/retention';
import { loadTenant } from '../sandbox/tenant';
import { loadAuditKey } from '../storage/auditKey';
import { createStorageClients } from '../storage/storageClients';
import { ChainBreak, TableAuditLog } from '../storage/tableAuditLog';
import { TableRequestStore } from '../storage/tableRequestStore';

/**
 * `npm run audit:verify`: walks every request's audit chain in the Storage account the settings
 * name (Azurite in sandbox mode) and names the first broken entry of each broken chain: an entry
 * altered or forged (its HMAC under the audit key no longer matches), missing from the middle, or
 * missing from the end (which only the chain's anchor shows).
 * It also checks every request has a chain, and that a request pseudonymised by retention is still
 * the record whose SHA-256 its 'pseudonymised' entry keeps. Exit code 0: all intact; 1: broken.
 */

export interface AuditVerification {
  chains: number;
  entries: number;
  /** Entries with a plain SHA-256 hash, written before the audit key: still checked, but anyone could have recomputed them. */
  legacyEntries: number;
  /** One per broken chain (its first break), plus requests without a chain or with a changed kept record. */
  breaks: ChainBreak[];
}

export async function verifyAuditLog(log: TableAuditLog, store?: Pick<RecordsStore, 'listAll'>): Promise<AuditVerification> {
  const chains = await log.allChains();
  const breaks: ChainBreak[] = [];
  let entries = 0;
  let legacyEntries = 0;
  for (const [requestId, chain] of [...chains].sort(([a], [b]) => a.localeCompare(b))) {
    entries += chain.entries.length;
    legacyEntries += chain.entries.filter((e) => e.alg === undefined).length;
    const broken = log.breakIn(requestId, chain);
    if (broken) breaks.push(broken);
  }
  for (const request of store ? await store.listAll() : []) {
    const chain = chains.get(request.id);
    // A request is written just before its 'created' entry: one being filed this very moment shows here too.
    if (!chain) {
      breaks.push({ requestId: request.id, problem: 'the request has no audit entries: its whole chain was deleted' });
      continue;
    }
    if (!request.pseudonymisedAt) continue;
    const kept = chain.entries.filter((e) => e.event === 'pseudonymised').at(-1)?.detail.keptSha256;
    if (!kept) breaks.push({ requestId: request.id, problem: 'the request was pseudonymised, but its chain has no pseudonymised entry' });
    else if (kept !== keptRecordHash(request)) {
      breaks.push({ requestId: request.id, problem: 'the pseudonymised record was changed after retention: it no longer matches the SHA-256 its pseudonymised entry keeps' });
    }
  }
  return { chains: chains.size, entries, legacyEntries, breaks };
}

/** The verification as lines for a terminal. */
export function describeVerification(result: AuditVerification): string[] {
  const legacy = result.legacyEntries
    ? ` (${result.legacyEntries} legacy ${result.legacyEntries === 1 ? 'entry' : 'entries'} with a plain SHA-256 hash, written before the audit key: anyone with write access could have recomputed those)`
    : '';
  return [
    `audit:verify: ${result.chains} chain${result.chains === 1 ? '' : 's'}, ${result.entries} entries checked${legacy}`,
    ...result.breaks.map((b) => `BROKEN ${b.requestId}: ${b.problem}`),
    result.breaks.length ? `FAILED: ${result.breaks.length} problem${result.breaks.length === 1 ? '' : 's'} found` : 'OK: every chain is intact and matches its anchor',
  ];
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, loadTenant().approverGroup.id);
  const clients = createStorageClients(config);
  const result = await verifyAuditLog(new TableAuditLog(clients.audit, systemClock, loadAuditKey(config.auditKey)), new TableRequestStore(clients.requests, clients.counters));
  for (const line of describeVerification(result)) console.log(line);
  process.exit(result.breaks.length ? 1 : 0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `audit:verify could not read the audit log: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  });
}
