import { createHash } from 'node:crypto';
import { EMPTY_ROOT, headLeaf, headsRoot, merkleRoot } from '../../src/dsr';

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
const hex = (value: string) => Buffer.from(value, 'hex');
/** An inner node, computed here from the definition rather than with the code under test. */
const node = (left: string, right: string) => sha256(Buffer.from([1]), hex(left), hex(right));
const head = (n: number) => ({ requestId: `DSR-2026-${String(n).padStart(4, '0')}`, count: n, hash: createHash('sha256').update(`entry ${n}`).digest('hex') });

describe('the Merkle root of the audit digests', () => {
  it('hashes a leaf as 0x00 and the head as JSON, and one leaf is its own root', () => {
    const h = head(1);
    expect(headLeaf(h)).toBe(sha256(Buffer.from([0]), Buffer.from(JSON.stringify({ requestId: h.requestId, count: 1, hash: h.hash }))));
    expect(headsRoot([h])).toBe(headLeaf(h));
  });

  it('pairs leaves level by level, moving an odd last node up unchanged', () => {
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((n) => headLeaf(head(n)));
    expect(merkleRoot([a, b])).toBe(node(a, b));
    expect(merkleRoot([a, b, c])).toBe(node(node(a, b), c));
    expect(merkleRoot([a, b, c, d, e])).toBe(node(node(node(a, b), node(c, d)), e));
    // Not paired with itself: a list with the last leaf twice has another root.
    expect(merkleRoot([a, b, c, c])).not.toBe(merkleRoot([a, b, c]));
  });

  it('is the same whatever order the heads come in, sorted by request id', () => {
    const heads = [7, 3, 11, 1, 5].map(head);
    const sorted = [...heads].sort((x, y) => (x.requestId < y.requestId ? -1 : 1));
    expect(headsRoot(heads)).toBe(merkleRoot(sorted.map(headLeaf)));
    expect(headsRoot([...heads].reverse())).toBe(headsRoot(heads));
  });

  it('changes with any head: its count, its hash, or one head more or less', () => {
    const heads = [1, 2, 3].map(head);
    const root = headsRoot(heads);
    expect(headsRoot([heads[0], heads[1], { ...heads[2], count: 4 }])).not.toBe(root);
    expect(headsRoot([heads[0], heads[1], { ...heads[2], hash: heads[1].hash }])).not.toBe(root);
    expect(headsRoot(heads.slice(0, 2))).not.toBe(root);
    expect(headsRoot([...heads, head(4)])).not.toBe(root);
  });

  it('has the SHA-256 of nothing as the root of no heads', () => {
    expect(headsRoot([])).toBe(EMPTY_ROOT);
    expect(EMPTY_ROOT).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
