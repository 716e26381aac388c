import type { AuditState, Charts, Me, Queue, RequestDetail } from './contract';

/** A non-2xx answer of the tab's API: 401 signs out, 403 is the no-access page, 404 a missing request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`tab API answered ${status} ${code}`);
  }
}

export interface QueueFilters {
  kind?: string;
  regime?: string;
  state?: string;
  q?: string;
}

/** The tab's API (/tab/api/*) with the signed-in person's bearer token on every call. */
export class TabApi {
  constructor(private readonly token: string) {}

  me(): Promise<Me> {
    return this.json('me');
  }

  queue(filters: QueueFilters = {}): Promise<Queue> {
    const query = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])));
    return this.json(`queue${query.size ? `?${query}` : ''}`);
  }

  request(id: string): Promise<RequestDetail> {
    return this.json(`requests/${encodeURIComponent(id)}`);
  }

  charts(): Promise<Charts> {
    return this.json('charts');
  }

  audit(): Promise<AuditState> {
    return this.json('audit');
  }

  /** The register file (`register.csv` or `register.json`) with the name the server gives it. */
  async registerFile(file: 'register.csv' | 'register.json'): Promise<{ blob: Blob; name: string }> {
    const response = await this.get(file);
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? file;
    return { blob: await response.blob(), name };
  }

  private async json<T>(path: string): Promise<T> {
    return (await (await this.get(path)).json()) as T;
  }

  private async get(path: string): Promise<Response> {
    const response = await fetch(`/tab/api/${path}`, { headers: { Authorization: `Bearer ${this.token}` } });
    if (!response.ok) {
      const body = (await response.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
      throw new ApiError(response.status, body?.error?.code ?? 'Unknown');
    }
    return response;
  }
}
