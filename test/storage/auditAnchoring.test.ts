import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { AUDIT_KEY_FILE_NAME } from '../../src/config';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { AuditAnchorSweep } from '../../src/storage/auditAnchor';
import { AuditDigest, AuditDigests, digestName } from '../../src/storage/auditDigests';
import { loadAuditKey } from '../../src/storage/auditKey';
import { BlobLeaseLock } from '../../src/storage/blobLease';
import { ensureStorage, storageClientsFromConnectionString } from '../../src/storage/storageClients';
import { AuditEntry, GENESIS, HEAD_ROW, HMAC_ALG, TableAuditLog, hashEntry, sealEntry } from '../../src/storage/tableAuditLog';
import { TableRequestStore } from '../../src/storage/tableRequestStore';
import { verifyAuditLog } from '../../src/tools/auditVerify';
import { freshDataDir } from '../support/dataDir';
import { sampleRequest } from '../unit/sampleRequest';

/**
 * The audit chain against an attacker who can read and write every table and blob the bot can,
 * but not read its audit key: each tampering below is made through the real Storage clients on
 * Azurite, and `audit:verify` must name it. Azurite does not enforce immutability policies, so
 * the digests container can be tampered with here too; what stops that in Azure is the locked
 * policy of infra/azure.bicep (test/unit/infra.test.ts), and here the digests' own HMAC and chain.
 */
jest.setTimeout(120_000);

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let azurite: RunningAzurite;
let dataDir: string;
let key: Buffer;
let now = new Date('2026-12-01T09:00:00.000Z');
const clock = { now: () => new Date(now) };
const tick = (ms = MINUTE) => (now = new Date(now.getTime() + ms));
const rowKey = (sequence: number) => String(sequence).padStart(8, '0');
const idOf = (n: number) => `DSR-2026-${String(n).padStart(4, '0')}`;

/** One store: an audit table, request rows and a digests container, as the bot has them. */
interface Store {
  audit: TableClient;
  requests: TableClient;
  container: ContainerClient;
  log: TableAuditLog;
  store: TableRequestStore;
  digests: AuditDigests;
  announced: AuditDigest[];
  verify: () => ReturnType<typeof verifyAuditLog>;
}

function storeOf(audit: TableClient, requests: TableClient, counters: TableClient, container: ContainerClient): Store {
  const log = new TableAuditLog(audit, clock, key);
  const store = new TableRequestStore(requests, counters);
  const announced: AuditDigest[] = [];
  const digests = new AuditDigests({ container, heads: () => log.heads(), key, clock, log: quiet, announcer: { announceDigest: async (d) => void announced.push(d) } });
  return { audit, requests, container, log, store, digests, announced, verify: () => verifyAuditLog(log, store, digests) };
}

/** A store of its own for one test, in tables and a container named after it. */
async function freshStore(label: string): Promise<Store> {
  const table = (name: string) => TableClient.fromConnectionString(azurite.connectionString, `${name}${label}`, { allowInsecureConnection: true });
  const [audit, requests, counters] = [table('audit'), table('requests'), table('counters')];
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(`digests-${label.toLowerCase()}`);
  await Promise.all([audit.createTable(), requests.createTable(), counters.createTable(), container.createIfNotExists()]);
  return storeOf(audit, requests, counters, container);
}

/** Files request `n` and writes its chain as the bot would: created, discovered, approved, completed. */
async function fileAndComplete(s: Store, n: number): Promise<string> {
  const id = idOf(n);
  await s.store.create(sampleRequest({ id }));
  for (const [event, detail] of [['created', {}], ['discovered', { services: 2 }], ['approved', { by: 'approver-1' }], ['completed', { entra: 1 }]] as const) {
    tick();
    await s.log.append(id, event, detail);
  }
  return id;
}

/** Writes a chain the way the bot did before the audit key: plain SHA-256, no `alg` column. */
async function writeLegacyChain(table: TableClient, requestId: string, events: string[]): Promise<void> {
  let previousHash = GENESIS;
  for (const [index, event] of events.entries()) {
    tick();
    const unhashed = { requestId, sequence: index + 1, event, detail: {}, at: now.toISOString(), previousHash };
    const hash = hashEntry(unhashed);
    await table.createEntity({ partitionKey: requestId, rowKey: rowKey(unhashed.sequence), event, detail: '{}', at: unhashed.at, previousHash, hash });
    previousHash = hash;
  }
  await table.createEntity({ partitionKey: requestId, rowKey: HEAD_ROW, count: events.length, hash: previousHash });
}

/**
 * What an attacker with Table Data Contributor does to pass a plain hash check: rewrites every
 * entry of a chain (after `change`) with hashes they can compute, and moves the anchor along.
 */
async function rewriteChain(table: TableClient, requestId: string, reseal: (unhashed: Omit<AuditEntry, 'hash' | 'alg'>) => Pick<AuditEntry, 'hash' | 'alg'>, change: (e: AuditEntry) => AuditEntry = (e) => e): Promise<void> {
  let previousHash = GENESIS;
  const entries = await new TableAuditLog(table, clock).entries(requestId);
  for (const entry of entries.map(change)) {
    const unhashed = { requestId, sequence: entry.sequence, event: entry.event, detail: entry.detail, at: entry.at, previousHash };
    const { hash, alg } = reseal(unhashed);
    await table.upsertEntity({ partitionKey: requestId, rowKey: rowKey(entry.sequence), event: entry.event, detail: JSON.stringify(entry.detail), at: entry.at, previousHash, hash, ...(alg ? { alg } : {}) }, 'Replace');
    previousHash = hash;
  }
  await table.upsertEntity({ partitionKey: requestId, rowKey: HEAD_ROW, count: entries.length, hash: previousHash }, 'Replace');
}

/** Deletes a request's whole chain, its anchor included. */
async function deleteChain(table: TableClient, requestId: string): Promise<void> {
  for await (const e of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${requestId}'` } })) await table.deleteEntity(requestId, e.rowKey!);
}

const approverChanged = (e: AuditEntry): AuditEntry => (e.event === 'approved' ? { ...e, detail: { by: 'approver-2' } } : e);

/** The environment `npm run audit:verify` would run with against this Azurite and key. */
const cliEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, DSR_SANDBOX: 'on', DSR_STORAGE_CONNECTION_STRING: azurite.connectionString, DSR_APPROVER_GROUP_ID: 'group', DSR_DATA_DIR: dataDir });
const runVerify = () => spawnSync(process.execPath, ['dist/src/tools/auditVerify.js'], { env: cliEnv(), encoding: 'utf8' });

beforeAll(async () => {
  dataDir = freshDataDir('audit-anchoring');
  azurite = await startAzurite({ location: `${dataDir}/azurite` });
  // The key file the bot makes on its first start in sandbox mode, and audit:verify reads.
  key = loadAuditKey({ kind: 'file', path: path.join(dataDir, AUDIT_KEY_FILE_NAME) }, { create: true });
});

afterAll(async () => {
  await azurite?.stop();
});

describe('audit digests', () => {
  let s: Store;
  beforeAll(async () => {
    s = await freshStore('Writing');
  });

  it('writes none while there are no chains, then one of every head, sealed, create-only, and announces it', async () => {
    expect(await s.digests.write()).toBeUndefined();
    const ids = [await fileAndComplete(s, 2), await fileAndComplete(s, 1)];
    const digest = (await s.digests.write())!;
    expect(digest).toMatchObject({ sequence: 1, previousRoot: GENESIS, heads: [{ requestId: ids[1], count: 4 }, { requestId: ids[0], count: 4 }] });
    expect(s.announced).toEqual([digest]);
    const stored = JSON.parse((await s.container.getBlobClient(digestName(1)).downloadToBuffer()).toString('utf8')) as AuditDigest;
    expect(stored).toEqual(digest);
    // Nothing changed: no second digest.
    expect(await s.digests.write()).toBeUndefined();
  });

  it('chains each digest to the one before, and two writers racing get one number each', async () => {
    tick();
    await s.log.append(idOf(1), 'delivered', { what: 'receipt' });
    const another = new AuditDigests({ container: s.container, heads: () => s.log.heads(), key, clock, log: quiet });
    const [x, y] = await Promise.all([s.digests.write(), another.write()]);
    const written = [x, y].filter((d): d is AuditDigest => d !== undefined);
    // The loser of the race reads the winner's digest: same heads, nothing new, so no digest of its own.
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ sequence: 2, previousRoot: (await s.digests.list())[0].digest!.root });
    expect((await s.digests.list()).map((d) => [d.name, d.problem])).toEqual([[digestName(1), undefined], [digestName(2), undefined]]);
  });

  it('is written at most daily by the sweep, one instance at a time, and only when the chains changed', async () => {
    const lock = () => BlobLeaseLock.beside(s.container, 'audit-digest-sweep-test', quiet);
    const sweep = new AuditAnchorSweep({ digests: s.digests, lock: lock(), clock });
    const before = (await s.digests.list()).length;
    tick();
    await s.log.append(idOf(2), 'delivered', { what: 'receipt' });
    // The last digest is less than a day old: the change waits; within the hour this instance does not look again.
    expect(await sweep.sweep()).toEqual({ swept: true });
    expect(await sweep.sweep()).toEqual({ swept: false });
    tick(DAY);
    // Another instance holds the lock.
    let holderRan = false;
    await lock().runExclusive(async () => {
      expect(await new AuditAnchorSweep({ digests: s.digests, lock: lock(), clock }).sweep()).toEqual({ swept: false });
      holderRan = true;
    });
    expect(holderRan).toBe(true);
    expect(await sweep.sweep()).toMatchObject({ swept: true, written: { sequence: before + 1 } });
    tick(DAY + HOUR);
    expect(await sweep.sweep()).toEqual({ swept: true });
    expect(await s.digests.list()).toHaveLength(before + 1);
  });
});

describe('npm run audit:verify', () => {
  let s: Store;
  let legacyId: string;

  beforeAll(async () => {
    // The bot's own names, which the command reads.
    const clients = storageClientsFromConnectionString(azurite.connectionString);
    await ensureStorage(clients);
    s = storeOf(clients.audit, clients.requests, clients.counters, clients.digests);
  });

  it('finds an intact store intact, legacy chains included, and exits 0', async () => {
    // A request filed before the audit key existed, continued after it.
    legacyId = idOf(9);
    await s.store.create(sampleRequest({ id: legacyId }));
    await writeLegacyChain(s.audit, legacyId, ['created', 'discovered', 'approved']);
    tick();
    await s.log.append(legacyId, 'completed', { entra: 1 });
    for (const n of [1, 2, 3]) await fileAndComplete(s, n);
    await s.digests.write();
    tick();
    await s.log.append(idOf(1), 'delivered', { what: 'receipt' });

    const result = await s.verify();
    expect(result).toMatchObject({ chains: 4, entries: 17, legacyEntries: 3, digests: 1, unanchored: 1, breaks: [], digestBreaks: [] });
    const run = runVerify();
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain('4 chains, 17 entries checked (3 legacy entries with a plain SHA-256 hash, written before the audit key');
    expect(run.stdout).toContain('1 digest checked, the last no. 1');
    expect(run.stdout).toContain('1 entry not yet anchored');
    expect(run.stdout).toContain('OK: every chain is intact');
  });

  it('exits 1 naming a request whose row and chain were deleted after a digest', async () => {
    await deleteChain(s.audit, idOf(2));
    await s.requests.deleteEntity('request', idOf(2));
    const run = runVerify();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`BROKEN ${idOf(2)}: its chain is gone, and its request row too: digest no. 1 of `);
    expect(run.stdout).toContain('FAILED: 1 problem found');
  });
});

describe('tampering the verifier catches', () => {
  it('(a) a whole chain rewritten with recomputed plain SHA-256 hashes and its anchor moved along', async () => {
    const s = await freshStore('RewrittenPlain');
    const [forged, intact] = [await fileAndComplete(s, 1), await fileAndComplete(s, 2)];
    const digest = (await s.digests.write())!;
    // Without `alg` the entries pass for legacy ones, and each hashes right: only the digest shows it.
    await rewriteChain(s.audit, forged, (unhashed) => ({ hash: hashEntry(unhashed) }), approverChanged);
    const result = await s.verify();
    expect(result.breaks).toEqual([
      { requestId: forged, sequence: 4, problem: `entry 4 is not the entry digest no. 1 of ${digest.at} anchored: the chain was rewritten up to there (hashes recomputed without the audit key)` },
    ]);
    expect(result.breaks.map((b) => b.requestId)).not.toContain(intact);
  });

  it('(a) and a new chain made up of plain SHA-256 entries once digests exist', async () => {
    const s = await freshStore('NewPlain');
    await fileAndComplete(s, 1);
    const digest = (await s.digests.write())!;
    const madeUp = idOf(5);
    await writeLegacyChain(s.audit, madeUp, ['created', 'completed']);
    expect((await s.verify()).breaks).toEqual([
      { requestId: madeUp, sequence: 1, problem: `entry 1 (created) has a plain SHA-256 hash in a chain no digest lists (the last is digest no. 1 of ${digest.at}), yet every entry written since digests exist is sealed with the audit key: it was added or rewritten without the key` },
    ]);
  });

  it('(b) a whole chain rewritten with valid-looking HMACs under another key', async () => {
    const s = await freshStore('OtherKey');
    const forged = await fileAndComplete(s, 1);
    await s.digests.write();
    const otherKey = randomBytes(32);
    await rewriteChain(s.audit, forged, (unhashed) => ({ hash: sealEntry(unhashed, otherKey), alg: HMAC_ALG }), approverChanged);
    expect((await s.verify()).breaks).toEqual([
      { requestId: forged, sequence: 1, problem: "entry 1 (created) was altered: its content no longer matches its HMAC under the bot's audit key (rewritten by someone without the key)" },
    ]);
  });

  it('(c) a request row deleted together with its chain after a digest, even once later digests leave it out', async () => {
    const s = await freshStore('Deleted');
    const [gone] = [await fileAndComplete(s, 1), await fileAndComplete(s, 2)];
    const digest = (await s.digests.write())!;
    await deleteChain(s.audit, gone);
    await s.requests.deleteEntity('request', gone);
    tick();
    await s.log.append(idOf(2), 'delivered', { what: 'receipt' });
    expect((await s.digests.write())!.heads.map((h) => h.requestId)).toEqual([idOf(2)]);
    const result = await s.verify();
    expect(result.breaks).toEqual([{ requestId: gone, problem: `its chain is gone, and its request row too: digest no. 1 of ${digest.at} anchored 4 entries of it` }]);
    expect(result.digestBreaks).toEqual([]);
  });

  it('(c) and a chain deleted while its request row stays, or a row deleted while its chain stays', async () => {
    const s = await freshStore('HalfDeleted');
    const [chainGone, rowGone] = [await fileAndComplete(s, 1), await fileAndComplete(s, 2)];
    await s.digests.write();
    await deleteChain(s.audit, chainGone);
    await s.requests.deleteEntity('request', rowGone);
    expect((await s.verify()).breaks).toEqual([
      { requestId: chainGone, problem: expect.stringMatching(/^its chain is gone: digest no. 1 of \S+ anchored 4 entries of it$/) },
      { requestId: rowGone, problem: expect.stringMatching(/^its request row is gone, though digest no. 1 of \S+ anchors its chain of 4 entries$/) },
    ]);
  });

  it('(d) an entry appended after the digest without the key, sealed or plain, to a sealed or a legacy chain', async () => {
    const s = await freshStore('Appended');
    const [sealedForgery, plainForgery] = [await fileAndComplete(s, 1), await fileAndComplete(s, 2)];
    const legacyChain = idOf(3);
    await writeLegacyChain(s.audit, legacyChain, ['created', 'discovered', 'approved', 'completed']);
    const digest = (await s.digests.write())!;
    const appendForged = async (requestId: string, hashOf: (unhashed: Omit<AuditEntry, 'hash' | 'alg'>) => Pick<AuditEntry, 'hash' | 'alg'>) => {
      const head = (await s.log.head(requestId))!;
      tick();
      const unhashed = { requestId, sequence: 5, event: 'purged', detail: { service: 'entra' }, at: now.toISOString(), previousHash: head.hash };
      const { hash, alg } = hashOf(unhashed);
      await s.audit.createEntity({ partitionKey: requestId, rowKey: rowKey(5), event: 'purged', detail: JSON.stringify(unhashed.detail), at: unhashed.at, previousHash: head.hash, hash, ...(alg ? { alg } : {}) });
      await s.audit.updateEntity({ partitionKey: requestId, rowKey: HEAD_ROW, count: 5, hash }, 'Replace');
    };
    await appendForged(sealedForgery, (unhashed) => ({ hash: sealEntry(unhashed, randomBytes(32)), alg: HMAC_ALG }));
    await appendForged(plainForgery, (unhashed) => ({ hash: hashEntry(unhashed) }));
    // A chain all legacy when digested: consistent in itself with a plain entry more, but not after a digest.
    await appendForged(legacyChain, (unhashed) => ({ hash: hashEntry(unhashed) }));
    expect((await s.verify()).breaks).toEqual([
      { requestId: sealedForgery, sequence: 5, problem: expect.stringContaining('entry 5 (purged) was altered: its content no longer matches its HMAC') },
      { requestId: plainForgery, sequence: 5, problem: expect.stringContaining('entry 5 (purged) has a plain SHA-256 hash after entries sealed with the audit key') },
      { requestId: legacyChain, sequence: 5, problem: `entry 5 (purged) has a plain SHA-256 hash after the entry digest no. 1 of ${digest.at} anchored, yet every entry written since digests exist is sealed with the audit key: it was added or rewritten without the key` },
    ]);
  });

  it('(d) and a chain cut back with its anchor after a digest, or an entry hidden while a digest was written and put back', async () => {
    const s = await freshStore('CutBack');
    const [cut, hidden] = [await fileAndComplete(s, 1), await fileAndComplete(s, 2)];
    // The last entry of `hidden` is taken out (and its anchor set back) while the digest is written, then restored.
    const last = await s.audit.getEntity(hidden, rowKey(4));
    const head = await s.audit.getEntity(hidden, HEAD_ROW);
    await s.audit.deleteEntity(hidden, rowKey(4));
    const entries = await s.log.entries(hidden);
    await s.audit.updateEntity({ partitionKey: hidden, rowKey: HEAD_ROW, count: 3, hash: entries[2].hash }, 'Replace');
    tick(HOUR);
    const digest = (await s.digests.write())!;
    await s.audit.createEntity({ ...last, partitionKey: hidden, rowKey: rowKey(4) });
    await s.audit.updateEntity({ partitionKey: hidden, rowKey: HEAD_ROW, count: head.count, hash: head.hash }, 'Replace');
    // `cut` loses its last entry after the digest, anchor and all: consistent in itself.
    const cutEntries = await s.log.entries(cut);
    await s.audit.deleteEntity(cut, rowKey(4));
    await s.audit.updateEntity({ partitionKey: cut, rowKey: HEAD_ROW, count: 3, hash: cutEntries[2].hash }, 'Replace');

    expect((await s.verify()).breaks).toEqual([
      { requestId: cut, sequence: 4, problem: `entry 4 is gone: digest no. 1 of ${digest.at} anchored 4 entries, the chain now ends at 3 (cut back together with its anchor)` },
      { requestId: hidden, sequence: 4, problem: `entry 4 (completed) is dated ${String(last.at)}, before digest no. 1 of ${digest.at}, which does not include it: it was added afterwards with a back-dated time` },
    ]);
  });

  it('(d) and a chain cut back before the next digest, which then anchors the shorter chain', async () => {
    const s = await freshStore('CutBetween');
    const cut = await fileAndComplete(s, 1);
    const first = (await s.digests.write())!;
    const entries = await s.log.entries(cut);
    await s.audit.deleteEntity(cut, rowKey(4));
    await s.audit.updateEntity({ partitionKey: cut, rowKey: HEAD_ROW, count: 3, hash: entries[2].hash }, 'Replace');
    tick();
    const second = (await s.digests.write())!;
    expect(second.heads).toEqual([{ requestId: cut, count: 3, hash: entries[2].hash }]);
    expect((await s.verify()).breaks).toEqual([
      { requestId: cut, problem: `digest no. 2 of ${second.at} anchors 3 entries, the earlier digest no. 1 of ${first.at} anchored 4: the chain was cut back between them` },
    ]);
  });

  it('(e) a digest blob altered, and a digest deleted from the middle', async () => {
    const s = await freshStore('DigestAltered');
    for (const n of [1, 2, 3, 4]) {
      await fileAndComplete(s, n);
      await s.digests.write();
    }
    // Digest 1 made to claim a shorter chain; digest 3 deleted.
    const first = s.container.getBlockBlobClient(digestName(1));
    const text = (await first.downloadToBuffer()).toString('utf8').replace('"count": 4', '"count": 3');
    await first.upload(text, Buffer.byteLength(text));
    await s.container.deleteBlob(digestName(3));
    const [, second, , fourth] = [1, 2, 3, 4].map(digestName);
    const result = await s.verify();
    expect(result.digestBreaks).toEqual([
      { digest: digestName(1), problem: "its HMAC does not match its content under the bot's audit key: it was altered, or written by someone without the key" },
      { digest: second, problem: 'it follows no sound digest: the digests before it were deleted or altered' },
      { digest: fourth, problem: expect.stringMatching(/^it does not follow digest no\. 2 of \S+: a digest between them was deleted or replaced$/) },
    ]);
    expect(result.breaks).toEqual([]);
    expect(result.digests).toBe(2);
  });
});
