import { type Client, GraphError } from '@microsoft/microsoft-graph-client';
import type DataLoader from 'dataloader';
import { DEFAULT_COALESCE_WINDOW_MS } from '../../config';
import { retryAfterMs } from './callPolicy';
import { READS_ONLY } from './graphTransport';
import { coalescedReads } from './readCoalescer';
import { REAL_THROTTLE_CLOCK, type ThrottleClock } from './throttleBudget';

/** Graph takes at most 20 requests in one JSON batch. */
export const GRAPH_BATCH_MAX_REQUESTS = 20;
/** Times an inner request answered 429 is sent again (in a later batch) before its 429 is its answer; as the client's RetryHandler. */
const MAX_INNER_RETRIES = 3;

/** A read Graph serves in a batch: a GET, or a POST that only reads (`checkMemberGroups`). */
interface GraphRead {
  method: 'GET' | 'POST';
  /** Relative to the version root: `/users/{id}?$select=id`. */
  url: string;
  body?: unknown;
}

interface BatchAnswer {
  responses: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[];
}

export interface GraphBatchOptions {
  /** How long a read made while a batch is loading waits for others to share its batch; DSR_COALESCE_WINDOW_MS. */
  windowMs?: number;
  /** Waits out an inner 429's Retry-After (tests move time by hand). */
  clock?: Pick<ThrottleClock, 'sleep'>;
}

/**
 * Graph reads that requests in flight share: a read made while no batch is loading goes at once,
 * one made while a batch loads waits a short window for others, and up to 20 go out as one JSON
 * batch (`POST /$batch`). Each read answers as it would alone: its body, or a GraphError with
 * its own status (a 404 fails that read only). An inner 429 is sent again, alone with the other
 * throttled ones, after its Retry-After; the Graph client's middleware spends the throttle budget
 * per inner request. A nextLink (absolute) is read directly, not batched. A batch whose connection
 * drops without an answer is sent again (GraphHttpTransport), as it holds reads only.
 */
export class GraphBatchReads {
  private readonly reads: DataLoader<GraphRead, unknown>;
  private readonly clock: Pick<ThrottleClock, 'sleep'>;

  constructor(private readonly graph: Client, options: GraphBatchOptions = {}) {
    this.clock = options.clock ?? REAL_THROTTLE_CLOCK;
    this.reads = coalescedReads((reads) => this.send(reads), {
      windowMs: options.windowMs ?? DEFAULT_COALESCE_WINDOW_MS,
      maxKeys: GRAPH_BATCH_MAX_REQUESTS,
      // Graph's throttling counts each request of a batch: a batch saves exchanges, not budget.
      waitOnlyWhenBusy: true,
    });
  }

  /** `GET url`: relative to the version root (batched), or a nextLink (sent directly). */
  get(url: string): Promise<unknown> {
    if (/^https?:/i.test(url)) return this.graph.api(url).get() as Promise<unknown>;
    return this.reads.load({ method: 'GET', url });
  }

  /** A POST that only reads, such as `checkMemberGroups`, batched. */
  post(url: string, body: unknown): Promise<unknown> {
    return this.reads.load({ method: 'POST', url, body });
  }

  private async send(reads: readonly GraphRead[]): Promise<Array<unknown>> {
    const answers: unknown[] = new Array(reads.length);
    let pending = reads.map((_, index) => index);
    for (let attempt = 0; pending.length > 0; attempt++) {
      const answer = (await this.graph.api('/$batch').middlewareOptions([READS_ONLY]).post({ requests: pending.map((index) => innerRequest(String(index), reads[index])) })) as BatchAnswer;
      if (!Array.isArray(answer?.responses)) throw new GraphError(502, 'Graph answered a batch without its responses.');
      const byId = new Map(answer.responses.map((response) => [response.id, response]));
      const throttled: number[] = [];
      let waitMs = 0;
      for (const index of pending) {
        const response = byId.get(String(index));
        if (response?.status === 429 && attempt < MAX_INNER_RETRIES) {
          throttled.push(index);
          waitMs = Math.max(waitMs, innerRetryAfterMs(response.headers) ?? 0);
        } else {
          answers[index] = response ? answerOf(response) : new GraphError(502, 'Graph left a batched request unanswered.');
        }
      }
      if (throttled.length > 0 && waitMs > 0) await this.clock.sleep(waitMs);
      pending = throttled;
    }
    return answers;
  }
}

function innerRequest(id: string, read: GraphRead): Record<string, unknown> {
  return {
    id,
    method: read.method,
    url: read.url,
    ...(read.body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: read.body }),
  };
}

/** The body of a 2xx answer, else the GraphError the client would have thrown for it alone. */
function answerOf(response: BatchAnswer['responses'][number]): unknown {
  if (response.status >= 200 && response.status < 300) return response.body ?? {};
  const error = (response.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const failure = new GraphError(response.status, error?.message ?? `Graph answered ${response.status}.`);
  failure.code = error?.code ?? null;
  failure.body = response.body === undefined ? null : JSON.stringify(response.body);
  failure.headers = new Headers(response.headers ?? {});
  return failure;
}

/** The Retry-After of an inner answer of a batch, whose header names come in any case. */
export function innerRetryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const lowerCased = Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  return retryAfterMs({ response: { headers: lowerCased } });
}
