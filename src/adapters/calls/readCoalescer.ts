import DataLoader from 'dataloader';

export interface CoalescingOptions {
  /**
   * How long the first ask waits for company before the batch is sent: the most a request alone
   * is slowed down. Asks made in the same tick always share a batch, even at 0.
   */
  windowMs: number;
  /** The most keys one call may carry (a query's size limit, a batch's 20 requests); a full batch is sent at once. */
  maxKeys: number;
}

/**
 * Reads that requests in flight at the same time ask of one service, served by one call per batch
 * (DataLoader). `load` answers each key in the order asked, an Error for a key it could not read.
 * Nothing is kept after the batch: an ask after it was sent reaches the service again, so a read
 * is never older than its own window.
 */
export function coalescedReads<K, V>(load: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>, options: CoalescingOptions): DataLoader<K, V> {
  return new DataLoader<K, V>(load, {
    cache: false,
    maxBatchSize: options.maxKeys,
    batchScheduleFn: options.windowMs > 0 ? (send) => setTimeout(send, options.windowMs) : undefined,
  });
}
