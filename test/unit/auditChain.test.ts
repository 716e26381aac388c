import { randomBytes } from 'node:crypto';
import { AuditEntry, GENESIS, HMAC_ALG, chainBreak as chainBreakUnder, hashEntry, sealEntry } from '../../src/storage/tableAuditLog';

const ID = 'DSR-2026-0042';
const KEY = randomBytes(32);
const chainBreak = (requestId: string, entries: readonly AuditEntry[], head: { count: number; hash: string } | undefined) => chainBreakUnder(requestId, entries, head, KEY);

/**
 * A chain of `n` intact entries: legacy ones (plain SHA-256, as written before the audit key)
 * up to `legacy`, sealed ones (HMAC under `key`, as TableAuditLog writes them now) after.
 */
function chainOf(n: number, options: { legacy?: number; key?: Buffer } = {}): AuditEntry[] {
  const legacy = options.legacy ?? n;
  const entries: AuditEntry[] = [];
  for (let sequence = 1; sequence <= n; sequence++) {
    const unhashed = { requestId: ID, sequence, event: `event ${sequence}`, detail: { count: sequence }, at: `2026-11-22T09:${String(sequence).padStart(2, '0')}:00.000Z`, previousHash: entries.at(-1)?.hash ?? GENESIS };
    entries.push(sequence <= legacy ? { ...unhashed, hash: hashEntry(unhashed) } : { ...unhashed, hash: sealEntry(unhashed, options.key ?? KEY), alg: HMAC_ALG });
  }
  return entries;
}

const sealedChainOf = (n: number, key = KEY) => chainOf(n, { legacy: 0, key });
const headOf = (entries: AuditEntry[]) => ({ count: entries.length, hash: entries.at(-1)?.hash ?? GENESIS });

describe('a legacy audit chain (plain SHA-256, written before the audit key)', () => {
  it('is intact as written, anchored by its head', () => {
    const entries = chainOf(5);
    expect(chainBreak(ID, entries, headOf(entries))).toBeUndefined();
  });

  it('names an entry whose content was altered', () => {
    const entries = chainOf(5);
    const altered = entries.map((e) => (e.sequence === 3 ? { ...e, detail: { count: 30 } } : e));
    expect(chainBreak(ID, altered, headOf(entries))).toMatchObject({ sequence: 3, problem: expect.stringContaining('entry 3 (event 3) was altered') });
  });

  it('names the entry after one that was altered and re-hashed', () => {
    const entries = chainOf(5);
    const forged = { ...entries[2], detail: { count: 30 } };
    const rehashed = entries.map((e) => (e.sequence === 3 ? { ...forged, hash: hashEntry(forged) } : e));
    expect(chainBreak(ID, rehashed, headOf(entries))).toMatchObject({ sequence: 4, problem: expect.stringContaining('does not chain to entry 3') });
  });

  it('names a deleted entry in the middle', () => {
    const entries = chainOf(5);
    expect(chainBreak(ID, entries.filter((e) => e.sequence !== 2), headOf(entries))).toMatchObject({ sequence: 2, problem: 'entry 2 is missing: entry 3 follows entry 1' });
  });

  it('names a deleted last entry, which only the anchor shows', () => {
    const entries = chainOf(5);
    const shortened = entries.slice(0, 4);
    // On its own the shortened chain is consistent.
    expect(chainBreak(ID, shortened, headOf(shortened))).toBeUndefined();
    expect(chainBreak(ID, shortened, headOf(entries))).toMatchObject({ sequence: 5, problem: expect.stringContaining('entry 5 is missing: the anchor counts 5 entries') });
  });

  it('names a chain whose anchor was deleted, and one whose entries all were', () => {
    const entries = chainOf(3);
    expect(chainBreak(ID, entries, undefined)?.problem).toContain('has no anchor');
    expect(chainBreak(ID, [], headOf(entries))).toMatchObject({ sequence: 1 });
  });

  it('names entries beyond the anchor and a last entry swapped for another', () => {
    const entries = chainOf(4);
    expect(chainBreak(ID, entries, headOf(entries.slice(0, 3)))).toMatchObject({ sequence: 4, problem: expect.stringContaining('not anchored') });
    expect(chainBreak(ID, entries, { count: 4, hash: entries[2].hash })).toMatchObject({ sequence: 4, problem: expect.stringContaining('not the one anchored') });
  });
});

describe('an audit chain sealed with the audit key', () => {
  it('is intact as written, and so is a legacy chain continued with sealed entries', () => {
    const sealed = sealedChainOf(5);
    expect(chainBreak(ID, sealed, headOf(sealed))).toBeUndefined();
    const upgraded = chainOf(6, { legacy: 3 });
    expect(upgraded.map((e) => e.alg)).toEqual([undefined, undefined, undefined, HMAC_ALG, HMAC_ALG, HMAC_ALG]);
    expect(chainBreak(ID, upgraded, headOf(upgraded))).toBeUndefined();
  });

  it('names an altered entry', () => {
    const entries = sealedChainOf(4);
    const altered = entries.map((e) => (e.sequence === 2 ? { ...e, detail: { count: 20 } } : e));
    expect(chainBreak(ID, altered, headOf(entries))).toMatchObject({ sequence: 2, problem: expect.stringContaining("entry 2 (event 2) was altered: its content no longer matches its HMAC under the bot's audit key") });
  });

  it('names a whole chain rewritten with plain SHA-256 hashes that keeps the algorithm column', () => {
    const entries = sealedChainOf(4);
    const rehashed: AuditEntry[] = [];
    for (const e of entries) {
      const unhashed = { ...e, detail: e.sequence === 2 ? { count: 20 } : e.detail, previousHash: rehashed.at(-1)?.hash ?? GENESIS };
      rehashed.push({ ...unhashed, hash: hashEntry(unhashed) });
    }
    expect(chainBreak(ID, rehashed, headOf(rehashed))).toMatchObject({ sequence: 1, problem: expect.stringContaining('entry 1 (event 1) was altered') });
  });

  it('names a whole chain sealed again under another key', () => {
    const forged = sealedChainOf(4, randomBytes(32));
    expect(chainBreak(ID, forged, headOf(forged))).toMatchObject({ sequence: 1, problem: expect.stringContaining('HMAC') });
  });

  it('names a plain SHA-256 entry appended after sealed ones, and an algorithm the bot never writes', () => {
    const entries = sealedChainOf(3);
    const unhashed = { requestId: ID, sequence: 4, event: 'completed', detail: {}, at: '2026-11-22T10:00:00.000Z', previousHash: entries[2].hash };
    const appended = [...entries, { ...unhashed, hash: hashEntry(unhashed) }];
    expect(chainBreak(ID, appended, headOf(appended))).toMatchObject({ sequence: 4, problem: expect.stringContaining('entry 4 (completed) has a plain SHA-256 hash after entries sealed with the audit key (from entry 1)') });
    const none = entries.map((e) => (e.sequence === 3 ? { ...e, alg: 'none' } : e));
    expect(chainBreak(ID, none, headOf(none))).toMatchObject({ sequence: 3, problem: expect.stringContaining('names an algorithm the bot never writes') });
  });
});
