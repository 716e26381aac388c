import type DataLoader from 'dataloader';
import { coalescedReads } from '../calls/readCoalescer';
import type { IdBatch } from './twinQueries';
import type { QueryPage } from './sharedTwinQuery';

type Row = Record<string, unknown>;

/** Ids one gathering may carry: the most one `IN [...]` list holds (the queries split further to fit their length). */
const MAX_IDS_PER_GATHERING = 100;
/**
 * Queries of one kind loading at once. An ask made while as many load waits for one to finish,
 * and the asks made meanwhile go with it: a lone export's relationship batches (four at once)
 * never wait, and under a wave of exports the queries fill up.
 */
const QUERIES_IN_FLIGHT = 4;

/** One kind of query by twin ids that requests in flight may share. */
export interface IdQueryKind {
  /** The queries for these ids, as few as the query limits allow. */
  queriesFor(ids: readonly string[]): IdBatch[];
  /** The ids of the query a row answers (a relationship may answer for its source and its target). */
  idsOf(row: Row): readonly string[];
}

/**
 * A query by twin ids (relationships from or to twins, the twins linked to person twins, the link
 * values of twins) for the requests in flight at once: each request asks for its own ids, the
 * asks of all are sent as one `... IN [...]` query per batch that fits the query limits, and each
 * request gets back the rows that answer its ids, as its own query would give them.
 *
 * A request alone sends at once; asks made while {@link QUERIES_IN_FLIGHT} such queries are
 * loading wait for one of them (Digital Twins counts queries, not ids, so fuller queries save its
 * budget). Only first pages are shared: when a shared query has more pages, which rows the others
 * hold is unknown, and its requests are told to ask alone. Nothing is kept after a query.
 */
export class SharedIdQuery {
  private readonly gathering: DataLoader<string, Row[] | null>;

  constructor(
    private readonly kind: IdQueryKind,
    /** Runs a query's first page, under the call policy but no one request's abort signal. */
    private readonly firstPage: (query: string) => Promise<QueryPage>,
  ) {
    this.gathering = coalescedReads((ids) => this.lookUp(ids), {
      windowMs: 0, maxKeys: MAX_IDS_PER_GATHERING, maxBatchesInFlight: QUERIES_IN_FLIGHT, waitOnlyWhenBusy: true,
    });
  }

  /**
   * The rows answering any of `ids`, each once, the rows of each id in the query's order and the
   * ids in the order given; and the ids a shared query could not serve (it had more pages): the
   * request asks for those alone.
   */
  async rowsFor(ids: readonly string[]): Promise<{ rows: Row[]; alone: string[] }> {
    // A query's worth of ids has nothing to share (a large subject's batch): it goes alone, as
    // many at once as the call policy allows, never split across queries shared with others.
    if (ids.length >= MAX_IDS_PER_GATHERING) return { rows: [], alone: [...ids] };
    const answers = await Promise.all(ids.map((id) => this.gathering.load(id)));
    return {
      rows: [...new Set(answers.flatMap((rows) => rows ?? []))],
      alone: ids.filter((_, i) => answers[i] === null),
    };
  }

  /** The queries a request sends for these ids alone. */
  queriesFor(ids: readonly string[]): string[] {
    return this.kind.queriesFor(ids).map((batch) => batch.query);
  }

  private async lookUp(asked: readonly string[]): Promise<Array<Row[] | null>> {
    const found = new Map<string, Row[] | null>();
    await Promise.all(this.kind.queriesFor([...new Set(asked)]).map(async ({ ids, query }) => {
      const page = await this.firstPage(query);
      const own = new Map(ids.map((id) => [id, [] as Row[]]));
      for (const row of page.rows) {
        // A row answering an id of another of these queries comes with that query too.
        for (const id of new Set(this.kind.idsOf(row))) own.get(id)?.push(row);
      }
      for (const [id, rows] of own) found.set(id, page.continuationToken === undefined ? rows : null);
    }));
    return asked.map((id) => found.get(id) ?? null);
  }
}
