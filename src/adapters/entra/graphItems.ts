import type { Client } from '@microsoft/microsoft-graph-client';
import { PageGuard } from '../calls/pageGuard';

/** One page of a Graph collection. */
interface GraphPage {
  value: Record<string, unknown>[];
  '@odata.nextLink'?: string;
}

/**
 * The items of a Graph collection page by page, following `@odata.nextLink` (the client only
 * sends its token to Graph's own hosts, so a link elsewhere gets none); the next page is asked for
 * when the last item was taken. Errors are the client's own: callers map them.
 */
export async function* graphItems(graph: Client, path: string, pageSize: number): AsyncGenerator<Record<string, unknown>> {
  const guard = new PageGuard('entra', `the ${path.split('/').pop()} list`);
  let page = (await graph.api(path).top(pageSize).get()) as GraphPage;
  for (;;) {
    yield* page.value;
    const next = guard.follow(page['@odata.nextLink']);
    if (!next) return;
    page = (await graph.api(next).get()) as GraphPage;
  }
}

/** How many items a Graph collection holds, read page by page without keeping them. */
export async function countGraphItems(graph: Client, path: string, pageSize: number): Promise<number> {
  let count = 0;
  for await (const _ of graphItems(graph, path, pageSize)) count += 1;
  return count;
}
