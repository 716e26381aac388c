import { QueueClient } from '@azure/storage-queue';
import { Job, JobQueue, Logger } from '../dsr/ports';
import { errorCode } from '../dsr/failures';

const JOB_TYPES: ReadonlySet<string> = new Set(['discover', 'execute', 'purge']);

function parseJob(text: string): Job | undefined {
  try {
    const job = JSON.parse(text) as Partial<Job>;
    return typeof job.requestId === 'string' && JOB_TYPES.has(String(job.type)) ? (job as Job) : undefined;
  } catch {
    return undefined;
  }
}

/** Jobs on an Azure Storage queue: each is handed to one worker at a time, and comes back if that worker dies. */
export class StorageJobQueue implements JobQueue {
  constructor(private readonly queue: QueueClient) {}

  async enqueue(job: Job): Promise<void> {
    await this.queue.sendMessage(JSON.stringify(job));
  }
}

export interface QueueWorkerOptions {
  /** How long a taken job stays hidden from other workers; a dead worker's job reappears after it. */
  visibilityTimeoutSeconds: number;
  /** A job that failed this many times is set aside (and logged) instead of looping forever. */
  maxDeliveries: number;
  /** Longest pause between polls of an empty queue. */
  maxIdleMs: number;
  concurrency: number;
}

/**
 * Polls the queue and runs each job; the message is deleted only after its job finished, so a crash
 * leaves it to be delivered again. Polls back off while the queue is empty.
 */
export class QueueWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly queue: QueueClient,
    private readonly handle: (job: Job) => Promise<void>,
    private readonly options: QueueWorkerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.poll();
  }

  /** Stops taking jobs and waits for the ones in flight (SIGTERM drains). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async poll(): Promise<void> {
    let idleMs = 50;
    while (this.running) {
      const free = this.options.concurrency - this.inFlight.size;
      let received = 0;
      if (free > 0) {
        try {
          const response = await this.queue.receiveMessages({
            numberOfMessages: free,
            visibilityTimeout: this.options.visibilityTimeoutSeconds,
          });
          received = response.receivedMessageItems.length;
          for (const message of response.receivedMessageItems) {
            const run = this.run(message.messageText, message.messageId, message.popReceipt, message.dequeueCount);
            this.inFlight.add(run);
            void run.finally(() => {
              this.inFlight.delete(run);
              this.wake?.();
            });
          }
        } catch (error) {
          this.log.warn({ error: errorCode(error) }, 'job queue unreachable, will poll again');
        }
      }
      idleMs = received > 0 ? 50 : Math.min(idleMs * 2, this.options.maxIdleMs);
      if (this.running) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async run(text: string, messageId: string, popReceipt: string, deliveries: number): Promise<void> {
    const job = parseJob(text);
    if (!job) {
      this.log.warn({ messageId }, 'unreadable job message removed');
      await this.queue.deleteMessage(messageId, popReceipt);
      return;
    }
    try {
      await this.handle(job);
      await this.queue.deleteMessage(messageId, popReceipt);
    } catch (error) {
      if (deliveries >= this.options.maxDeliveries) {
        this.log.error({ requestId: job.requestId, job: job.type, deliveries, error: errorCode(error) }, 'job set aside after repeated failures');
        await this.queue.deleteMessage(messageId, popReceipt);
      } else {
        this.log.warn({ requestId: job.requestId, job: job.type, deliveries, error: errorCode(error) }, 'job failed, it will be delivered again');
      }
    }
  }
}
