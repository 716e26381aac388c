import DataLoader from 'dataloader';

export interface CoalescingOptions {
  /**
   * How long the first ask waits for company before the batch is sent: the most a request alone
   * is slowed down. Asks made in the same tick always share a batch, even at 0.
   */
  windowMs: number;
  /** The most keys one call may carry (a query's size limit, a batch's 20 requests); a full batch is sent at once. */
  maxKeys: number;
  /**
   * The most batches loading at once (optional; default: no limit). A batch whose window has
   * passed while as many are loading waits for one to finish, and asks made meanwhile join it
   * (up to maxKeys). Under a throttled service this keeps batches full: otherwise every window
   * sends its own small batch to wait for its own token.
   */
  maxBatchesInFlight?: number;
  /**
   * When set, an ask made while no batch of these reads is loading goes out at once (with the asks
   * of the same tick); only asks made while one loads wait the window for company. For a service
   * whose limit counts the requests inside a batch (Graph), where a batch saves exchanges but no
   * budget: someone waiting on a card is not held for company that is not there, and under load
   * batches form as with the window alone.
   */
  waitOnlyWhenBusy?: boolean;
}

/**
 * Reads that requests in flight at the same time ask of one service, served by one call per batch
 * (DataLoader). `load` answers each key in the order asked, an Error for a key it could not read.
 * Nothing is kept after the batch: an ask after it was sent reaches the service again, so a read
 * is never older than its own window.
 */
export function coalescedReads<K, V>(load: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>, options: CoalescingOptions): DataLoader<K, V> {
  const slots = options.maxBatchesInFlight === undefined ? undefined : new BatchSlots(options.maxBatchesInFlight);
  let loading = 0;
  const loadCounted = async (keys: readonly K[]) => {
    loading++;
    try {
      return await load(keys);
    } finally {
      loading--;
      slots?.release();
    }
  };
  const schedule = (send: () => void) => {
    const go = () => (slots ? slots.take(send) : send());
    // setImmediate: after the asks of the current tick have joined.
    if (options.waitOnlyWhenBusy && loading === 0) setImmediate(go);
    else setTimeout(go, options.windowMs);
  };
  return new DataLoader<K, V>(loadCounted, {
    cache: false,
    maxBatchSize: options.maxKeys,
    batchScheduleFn: options.windowMs > 0 || slots ? schedule : undefined,
  });
}

/** At most `size` batches loading; the others wait their turn in order. */
class BatchSlots {
  private loading = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error('maxBatchesInFlight must be a whole number of at least 1');
  }

  take(send: () => void): void {
    if (this.loading < this.size) {
      this.loading++;
      send();
    } else {
      this.waiting.push(send);
    }
  }

  /** Hands the slot straight to the next waiting batch, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.loading--;
  }
}
