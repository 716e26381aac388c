import { AuditEntry, GENESIS, chainBreak, hashEntry } from '../../src/storage/tableAuditLog';

const ID = 'DSR-2026-0042';

/** A chain of `n` intact entries, as TableAuditLog writes them. */
function chainOf(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let sequence = 1; sequence <= n; sequence++) {
    const unhashed = { requestId: ID, sequence, event: `event ${sequence}`, detail: { count: sequence }, at: `2026-11-22T09:${String(sequence).padStart(2, '0')}:00.000Z`, previousHash: entries.at(-1)?.hash ?? GENESIS };
    entries.push({ ...unhashed, hash: hashEntry(unhashed) });
  }
  return entries;
}

const headOf = (entries: AuditEntry[]) => ({ count: entries.length, hash: entries.at(-1)?.hash ?? GENESIS });

describe('an audit chain', () => {
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
