import { MAX_QUERY_LENGTH, ownersQueries } from '../../src/adapters/iotHub/ownerMatch';

describe('ownersQueries: one IN query for many owners', () => {
  it('asks for every spelling of every owner in one query, each value a quoted literal, a repeated spelling once', () => {
    const { queries, refused } = ownersQueries('owner', [['a@contoso.test', 'A@contoso.test'], ["o'brien\\x"], ['a@contoso.test']]);
    expect(refused).toEqual([]);
    expect(queries).toEqual([{ owners: [0, 1, 2], text: "SELECT * FROM devices WHERE tags.owner IN ['a@contoso.test', 'A@contoso.test', 'o\\'brien\\\\x']" }]);
  });

  it('packs owners into as many queries as IoT Hub\'s 8 KB allows, never splitting an owner\'s spellings', () => {
    const owners = Array.from({ length: 40 }, (_, owner) => Array.from({ length: 3 }, (_, spelling) => `${owner}-${spelling}-${'x'.repeat(500)}`));
    const { queries } = ownersQueries('people.owner', owners);
    expect(queries.length).toBeGreaterThan(1);
    for (const query of queries) expect(query.text.length).toBeLessThanOrEqual(MAX_QUERY_LENGTH);
    expect(queries.flatMap((query) => query.owners)).toEqual(owners.map((_, owner) => owner));
    for (const query of queries) {
      for (const owner of query.owners) for (const spelling of owners[owner]) expect(query.text).toContain(`'${spelling}'`);
    }
  });

  it('leaves out an owner whose value cannot be quoted, and queries the others', () => {
    const { queries, refused } = ownersQueries('owner', [['a'], ['b\nc'], ['d']]);
    expect(refused).toEqual([1]);
    expect(queries).toEqual([{ owners: [0, 2], text: "SELECT * FROM devices WHERE tags.owner IN ['a', 'd']" }]);
  });
});
