import { QueueClient } from '@azure/storage-queue';
import { errorCode, Job, JobLine, JobQueue, LeaseHeld, Logger } from '../dsr';

const JOB_TYPES: ReadonlySet<string> = new Set(['discover', 'execute', 'purge', 'lift', 'pollServiceExport', 'notify']);

function parseJob(text: string): Job | undefined {
  try {
    const job = JSON.parse(text) as Partial<Job>;
    return typeof job.requestId === 'string' && JOB_TYPES.has(String(job.type)) ? (job as Job) : undefined;
  } catch {
    return undefined;
  }
}

/** A message on the queue that a worker holds: its receipt changes each time its visibility is extended. */
interface TakenMessage {
  messageId: string;
  popReceipt: string;
}

/** A worker's slot kept for a job this process is putting on the queue. */
export interface OwnJobSlot {
  /** How long the job's message is sent hidden for: the worker extends it while the job runs. */
  readonly visibilityTimeoutSeconds: number;
  /** The job's message is on the queue, hidden: the worker runs it as if it had received it. */
  run(text: string, message: TakenMessage): void;
  /** The message could not be sent: the slot is free again. */
  release(): void;
}

/** The worker of this process, as the queue hands it the jobs this process puts on the queue. */
export interface OwnJobTaker {
  /** A free slot for one job, kept for it, or undefined when every slot is busy or jobs may be waiting on the queue. */
  claim(): OwnJobSlot | undefined;
  /** A job went on the queue for any worker to receive. */
  nudge(): void;
}

/** Jobs on an Azure Storage queue: each is handed to one worker at a time, and comes back if that worker dies. */
export class StorageJobQueue implements JobQueue, JobLine {
  private taker: OwnJobTaker | undefined;

  constructor(private readonly queue: QueueClient) {}

  /**
   * Hands the jobs this process enqueues to `taker`. With a slot free and no job known to wait on
   * the queue, a job's message is sent hidden and the job run at once, without receiving it (one
   * queue call fewer, and no wait for one); the message is deleted when the job is done, and shows
   * again for any worker after its visibility timeout if this process dies first, as a received
   * one would. Otherwise the message goes on the queue as it is, behind the jobs waiting there,
   * and the worker is nudged.
   */
  takeOwnJobsWith(taker: OwnJobTaker): void {
    this.taker = taker;
  }

  async enqueue(job: Job): Promise<void> {
    const text = JSON.stringify(job);
    const slot = this.taker?.claim();
    if (!slot) {
      await this.queue.sendMessage(text);
      this.taker?.nudge();
      return;
    }
    let sent;
    try {
      sent = await this.queue.sendMessage(text, { visibilityTimeout: slot.visibilityTimeoutSeconds });
    } catch (error) {
      slot.release();
      throw error;
    }
    slot.run(text, { messageId: sent.messageId, popReceipt: sent.popReceipt });
  }

  /** Peeks at the front of the queue: jobs being run (hidden) are not waiting, and are not seen. */
  async oldestWaiting(): Promise<Date | undefined> {
    const { peekedMessageItems } = await this.queue.peekMessages({ numberOfMessages: 1 });
    return peekedMessageItems[0]?.insertedOn;
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
  /** Awaited before each receive: a job starts when this resolves (see `ForegroundTurns.quiet`). */
  waitForQuiet?: () => Promise<void>;
  /** Called once for a job set aside after `maxDeliveries`, so its request is not left stranded. */
  onGiveUp?: (job: Job) => Promise<void>;
}

/**
 * Polls the queue and runs each job, and each job this process hands it (`claim`); the message is
 * deleted only after its job finished, so a crash leaves it to be delivered again. While a job runs
 * its message is kept hidden (its visibility is extended before it lapses), so a job slower than
 * the visibility timeout is not handed to a second worker while the first is still at it. Polls
 * back off while the queue is empty.
 */
export class QueueWorker implements OwnJobTaker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Slots kept for jobs of this process whose messages are being sent (see `claim`), and for a receive under way. */
  private claimed = 0;
  /** The last look at the queue may have left jobs in it: every slot was busy, or the take filled them all. */
  private backlog = false;
  /** A job of this process went on the queue, and no receive has found the queue empty since: the next ones go behind it. */
  private ownQueued = false;
  /** A nudge came since the last receive began: the next poll goes without the idle pause. */
  private nudged = false;

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

  /**
   * Drains (SIGTERM): stops taking jobs, gives back at once any message received as it stopped, and
   * waits for the jobs in flight to finish, keeping their messages hidden meanwhile.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  /**
   * A job was just put on the queue by this process (not handed over: no slot was free, or jobs
   * were waiting before it): it is taken as soon as a slot is, not after the idle pause, and the
   * next ones queue behind it. Polls then only look for the jobs other instances put on the
   * queue, or this one before a restart.
   */
  nudge(): void {
    this.nudged = true;
    this.ownQueued = true;
    this.wake?.();
  }

  claim(): OwnJobSlot | undefined {
    // Jobs on the queue go first: a job handed over would overtake them while the poll waits for quiet.
    if (!this.running || this.backlog || this.ownQueued || this.freeSlots() <= 0) return undefined;
    this.claimed++;
    let kept = true;
    const free = () => {
      if (kept) this.claimed--;
      kept = false;
    };
    return {
      visibilityTimeoutSeconds: this.options.visibilityTimeoutSeconds,
      release: free,
      run: (text, message) => {
        free();
        this.track(this.runOwn(text, message));
      },
    };
  }

  /** A job of this process, its message sent hidden: it goes after the foreground turns, as a received one. */
  private async runOwn(text: string, message: TakenMessage): Promise<void> {
    await this.options.waitForQuiet?.();
    // Stopped meanwhile: the job goes back for another worker, now.
    if (!this.running) return this.giveBack(message);
    // Its first delivery. The queue counts receives only: after a crash, the message's first receive counts 1 again.
    return this.run(text, message, 1);
  }

  private freeSlots(): number {
    return this.options.concurrency - this.inFlight.size - this.claimed;
  }

  private track(run: Promise<void>): void {
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      // A free slot matters only if jobs may be waiting; new ones of this process come with a nudge.
      if (this.backlog) this.wake?.();
    });
  }

  private async poll(): Promise<void> {
    let idleMs = 50;
    while (this.running) {
      this.nudged = false;
      let free = this.freeSlots();
      let received = 0;
      if (free > 0) {
        await this.options.waitForQuiet?.();
        if (!this.running) break;
        // A nudge while waiting for quiet is served by this receive; jobs handed over meanwhile took their slots.
        this.nudged = false;
        free = this.freeSlots();
      }
      if (free > 0) {
        // The slots asked for stay kept while the receive is under way: a job handed over meanwhile waits its turn on the queue.
        this.claimed += free;
        try {
          const response = await this.queue.receiveMessages({
            numberOfMessages: free,
            visibilityTimeout: this.options.visibilityTimeoutSeconds,
          });
          received = response.receivedMessageItems.length;
          if (received < free) this.ownQueued = false;
          for (const message of response.receivedMessageItems) {
            // Stopped while the receive was under way: the job goes back for another worker, now.
            this.track(this.running
              ? this.run(message.messageText, { messageId: message.messageId, popReceipt: message.popReceipt }, message.dequeueCount)
              : this.giveBack(message));
          }
        } catch (error) {
          this.log.warn({ error: errorCode(error) }, 'job queue unreachable, will poll again');
        } finally {
          this.claimed -= free;
        }
      }
      const tookAll = received > 0 && received === free;
      this.backlog = free === 0 || tookAll;
      idleMs = tookAll ? 50 : Math.min(idleMs * 2, this.options.maxIdleMs);
      if (this.running && !this.nudged) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async run(text: string, message: TakenMessage, deliveries: number): Promise<void> {
    const job = parseJob(text);
    if (!job) {
      this.log.warn({ messageId: message.messageId }, 'unreadable job message removed');
      await this.remove(message);
      return;
    }
    const hidden = this.keepHidden(message, job);
    try {
      await this.handle(job);
      await hidden.end();
      await this.remove(message);
    } catch (error) {
      await hidden.end();
      if (error instanceof LeaseHeld) {
        await this.later(message, text, job, error.until);
      } else if (deliveries >= this.options.maxDeliveries) {
        this.log.error({ requestId: job.requestId, job: job.type, deliveries, error: errorCode(error) }, 'job set aside after repeated failures');
        await this.options.onGiveUp?.(job).catch((giveUpError: unknown) => this.log.error({ requestId: job.requestId, error: errorCode(giveUpError) }, 'job given up, but its request could not be marked'));
        await this.remove(message);
      } else {
        this.log.warn({ requestId: job.requestId, job: job.type, deliveries, error: errorCode(error) }, 'job failed, it will be delivered again');
      }
    }
  }

  /**
   * Extends the message's visibility every third of the timeout while its job runs. `end` stops
   * that and waits for an extension under way, so the receipt is current for the delete.
   */
  private keepHidden(message: TakenMessage, job: Job): { end(): Promise<void> } {
    const everyMs = Math.max(200, (this.options.visibilityTimeoutSeconds * 1000) / 3);
    let ended = false;
    let pending: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      pending = pending.then(async () => {
        if (ended) return;
        try {
          const extended = await this.queue.updateMessage(message.messageId, message.popReceipt, undefined, this.options.visibilityTimeoutSeconds);
          if (extended.popReceipt) message.popReceipt = extended.popReceipt;
        } catch (error) {
          // Another worker may get the job once it shows again; its steps are safe to repeat.
          this.log.warn({ requestId: job.requestId, job: job.type, error: errorCode(error) }, 'could not keep the job hidden');
        }
      });
    }, everyMs);
    return {
      async end() {
        ended = true;
        clearInterval(timer);
        await pending;
      },
    };
  }

  /**
   * Another worker holds the request's run: the job comes back once that lease would have
   * expired, as a new message, so waiting for a lease never counts towards `maxDeliveries`.
   */
  private async later(message: TakenMessage, text: string, job: Job, until: string): Promise<void> {
    const seconds = Math.min(this.options.visibilityTimeoutSeconds, Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 1000)));
    try {
      await this.queue.sendMessage(text, { visibilityTimeout: seconds });
      await this.remove(message);
      this.log.info({ requestId: job.requestId, job: job.type, retryInSeconds: seconds }, 'request run by another worker: job put back');
    } catch (error) {
      this.log.warn({ requestId: job.requestId, error: errorCode(error) }, 'job not put back, it shows again after its visibility timeout');
    }
  }

  private async remove(message: TakenMessage): Promise<void> {
    try {
      await this.queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (error) {
      // The job is done; if its message comes back, running it again changes nothing.
      this.log.warn({ messageId: message.messageId, error: errorCode(error) }, 'finished job message could not be removed');
    }
  }

  private async giveBack(message: TakenMessage): Promise<void> {
    try {
      await this.queue.updateMessage(message.messageId, message.popReceipt, undefined, 0);
    } catch (error) {
      this.log.warn({ messageId: message.messageId, error: errorCode(error) }, 'job not given back, it shows again after its visibility timeout');
    }
  }
}
