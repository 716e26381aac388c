import { ConcurrencyConflict, type DsrRequest, type RequestStore, type StoredRequest } from '../../src/dsr';

/** Requests in memory, with etags, as the table store keeps them. */
export class MemoryRequestStore implements RequestStore {
  private readonly rows = new Map<string, StoredRequest>();
  private version = 0;

  async create(request: DsrRequest): Promise<void> {
    if (this.rows.has(request.id)) throw new ConcurrencyConflict(request.id);
    this.rows.set(request.id, { request, etag: String(++this.version) });
  }

  async get(id: string): Promise<StoredRequest | undefined> {
    return this.rows.get(id);
  }

  async replace(request: DsrRequest, etag: string): Promise<string> {
    if (this.rows.get(request.id)?.etag !== etag) throw new ConcurrencyConflict(request.id);
    const next = String(++this.version);
    this.rows.set(request.id, { request, etag: next });
    return next;
  }

  listForPerson = async () => [];
  nextSequence = async () => 1;
  listDueForPurge = async () => [];
  listStalled = async (_before: Date): Promise<DsrRequest[]> => [];
  listOpen = async (): Promise<DsrRequest[]> => [];
}

