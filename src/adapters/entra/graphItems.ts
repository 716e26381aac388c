import type { GraphBatchReads } from '../calls/graphBatch';
import { PageGuard } from '../calls/pageGuard';

/** One page of a Graph collection. */
interface GraphPage {
  value: Record<string, unknown>[];
  '@odata.nextLink'?: string;
}

/**
 * The items of a Graph collection page by page, following `@odata.nextLink` (the client only
 * sends its token to Graph's own hosts, so a link elsewhere gets none); the next page is asked for
 * when the last item was taken. The first page is a batched read, shared with other requests'
 * reads; the nextLinks are read directly. Errors are the client's own: callers map them.
 */
export async function* graphItems(reads: GraphBatchReads, path: string, pageSize: number): AsyncGenerator<Record<string, unknown>> {
  const guard = new PageGuard('entra', `the ${path.split('/').pop()} list`);
  let page = (await reads.get(`${path}?$top=${pageSize}`)) as GraphPage;
  for (;;) {
    yield* page.value;
    const next = guard.follow(page['@odata.nextLink']);
    if (!next) return;
    page = (await reads.get(next)) as GraphPage;
  }
}

/** How many items a Graph collection holds, read page by page without keeping them. */
export async function countGraphItems(reads: GraphBatchReads, path: string, pageSize: number): Promise<number> {
  let count = 0;
  for await (const _ of graphItems(reads, path, pageSize)) count += 1;
  return count;
}
