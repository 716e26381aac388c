import type DataLoader from 'dataloader';
import { coalescedReads } from '../calls/readCoalescer';
import { twinsOfPeople, type DirectLink } from './twinQueries';
import { valueAt } from './valueAt';

/** Subjects whose direct-link lookups one gathering may serve (the query is split further to fit its limits). */
const MAX_PEOPLE_PER_GATHERING = 50;

/** One page of a query, and the token of the next one (absent on the last). */
export interface QueryPage {
  rows: Record<string, unknown>[];
  continuationToken?: string;
}

/**
 * A person's twins by direct link from a query shared with other requests: `rows` are theirs
 * from the first page; when the query was theirs alone and has more pages, `next` says how to go
 * on (the same query text and its token), so a large subject still streams page by page.
 */
export interface SharedLookup {
  rows: Record<string, unknown>[];
  next?: { query: string; continuationToken: string };
}

/**
 * The first twin query of discovery, export and the erasure's delta check (the twins a person
 * holds directly, by link property or as their person twin), for the subjects of requests in
 * flight at once: gathered for a short window, sent as one `... IN [...]` query per batch that
 * fits the query limits, and split back per subject as the query compares (exactly). Only the
 * first page is shared: a shared query with more pages answers `undefined`, and each subject then
 * runs its own query page by page, as alone. Nothing is kept after a query.
 */
export class SharedTwinQuery {
  private readonly gatherings = new Map<string, DataLoader<DirectLink, SharedLookup | null>>();

  constructor(
    /** Runs a query's first page. */
    private readonly firstPage: (query: string) => Promise<QueryPage>,
    private readonly windowMs: number,
  ) {}

  /** The person's directly linked twins (with `columns`, only those columns), or undefined: ask alone. */
  async twinsOf(link: DirectLink, columns?: readonly string[]): Promise<SharedLookup | undefined> {
    return (await this.gathering(columns).load(link)) ?? undefined;
  }

  private gathering(columns: readonly string[] | undefined): DataLoader<DirectLink, SharedLookup | null> {
    const key = columns ? columns.join(',') : '*';
    let gathering = this.gatherings.get(key);
    if (!gathering) {
      gathering = coalescedReads((links) => this.lookUp(links, columns), { windowMs: this.windowMs, maxKeys: MAX_PEOPLE_PER_GATHERING });
      this.gatherings.set(key, gathering);
    }
    return gathering;
  }

  private async lookUp(links: readonly DirectLink[], columns: readonly string[] | undefined): Promise<Array<SharedLookup | null>> {
    const answers: Array<SharedLookup | null> = new Array(links.length).fill(null);
    await Promise.all(twinsOfPeople(links, columns).map(async ({ people, query }) => {
      const page = await this.firstPage(query);
      if (people.length === 1) {
        answers[people[0]] = { rows: page.rows, ...(page.continuationToken !== undefined && { next: { query, continuationToken: page.continuationToken } }) };
        return;
      }
      // Not every row of the others is here: which subjects the next pages hold is unknown.
      if (page.continuationToken !== undefined) return;
      for (const index of people) answers[index] = { rows: page.rows.filter((row) => this.holds(links[index], row)) };
    }));
    return answers;
  }

  /** Whether the row is the person's as the query matched it: the link property holds one of their values, or it is their person twin. */
  private holds(link: DirectLink, row: Record<string, unknown>): boolean {
    if (link.personTwinId !== undefined && row.$dtId === link.personTwinId) return true;
    if (!link.property) return false;
    const held = valueAt(row, link.property.path.split('.'));
    return typeof held === 'string' && link.property.values.includes(held);
  }
}
