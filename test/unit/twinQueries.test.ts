import { twinsOfPeople, twinsOfPerson } from '../../src/adapters/digitalTwins/twinQueries';

const byOwner = (...values: string[]) => ({ property: { path: 'ownerId', values } });

describe('twinsOfPeople: the direct-link twin query of several subjects at once', () => {
  it('puts every value and person twin id in one IN list each, escaped as for one person', () => {
    const [batch, ...rest] = twinsOfPeople([
      { ...byOwner('A-1', 'a-1'), personTwinId: 'A-1' },
      { ...byOwner("D'Souza"), personTwinId: 'B-2' },
    ]);

    expect(rest).toEqual([]);
    expect(batch.people).toEqual([0, 1]);
    expect(batch.query).toBe("SELECT * FROM DIGITALTWINS T WHERE T.ownerId IN ['A-1', 'a-1', 'D\\'Souza'] OR T.$dtId IN ['A-1', 'B-2']");
  });

  it('is the one-person query for one person, with the columns asked for', () => {
    const link = byOwner('A-1');
    expect(twinsOfPeople([link], ['$dtId', 'ownerId'])).toEqual([{ people: [0], query: twinsOfPerson(link.property, undefined, ['$dtId', 'ownerId']) }]);
  });

  it('splits into queries of at most 8,000 characters and 100 values, each person in exactly one', () => {
    const long = Array.from({ length: 30 }, (_, i) => byOwner(`${String(i).padStart(3, '0')}${'x'.repeat(497)}`));
    const many = Array.from({ length: 120 }, (_, i) => byOwner(`owner-${i}`));

    for (const links of [long, many]) {
      const batches = twinsOfPeople(links);
      expect(batches.length).toBeGreaterThan(1);
      for (const { query } of batches) expect(query.length).toBeLessThanOrEqual(8000);
      expect(batches.flatMap((batch) => batch.people)).toEqual(links.map((_, i) => i));
    }
    expect(twinsOfPeople(many).map((batch) => batch.people.length)).toEqual([100, 20]);
  });
});
