import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { Job } from '../../src/dsr';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { QueueWorker, StorageJobQueue } from '../../src/storage/queueJobs';
import { freshDataDir } from '../support/dataDir';
import { waitFor } from '../support/waitFor';

/** The queue worker on Azurite's queues: when it looks at the queue, and what makes it look. */
jest.setTimeout(60_000);

let azurite: RunningAzurite;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** The longest idle pause: longer than any test runs, so only a nudge or a job's end sends the worker to the queue late in a test. */
const HOUR_MS = 3_600_000;

beforeAll(async () => {
  azurite = await startAzurite({ location: `${freshDataDir('queue-worker')}/azurite` });
});

afterAll(async () => {
  await azurite?.stop();
});

let queues = 0;
async function freshQueue(): Promise<QueueClient> {
  const client = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(`worker-${++queues}`);
  await client.create();
  return client;
}

/**
 * A worker on `client` that records the jobs it started, counts its receives (answered, and the
 * messages they took), and finishes a job when its gate opens.
 */
function workerOn(client: QueueClient, concurrency = 4, waitForQuiet?: () => Promise<void>) {
  const ran: Job[] = [];
  const receives = { asked: 0, answered: 0, messages: 0 };
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const counted = new Proxy(client, {
    get(target, name, receiver) {
      if (name === 'receiveMessages') {
        return async (...args: Parameters<QueueClient['receiveMessages']>) => {
          receives.asked++;
          const response = await target.receiveMessages(...args);
          receives.answered++;
          receives.messages += response.receivedMessageItems.length;
          return response;
        };
      }
      return Reflect.get(target, name, receiver) as unknown;
    },
  });
  const worker = new QueueWorker(counted, async (job) => {
    ran.push(job);
    await gate;
  }, { visibilityTimeoutSeconds: 30, maxDeliveries: 5, maxIdleMs: HOUR_MS, concurrency, waitForQuiet }, quiet);
  // Six empty polls, the last one answered: the pause after it is 3.2 s (50 ms, doubled each time), and no receive is under way.
  const idle = () => waitFor('six empty polls', () => (receives.answered >= 6 && receives.answered === receives.asked ? true : undefined));
  return { worker, ran, receives, idle, finishJobs: open };
}

/** What another worker would receive from the queue now (it takes them: only for queues a test is done with). */
async function othersSee(client: QueueClient): Promise<string[]> {
  return (await client.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems.map((m) => m.messageText);
}

/**
 * Runs `test` with a started worker of `concurrency` slots on a fresh queue, the jobs of this
 * process handed to it, once it is idle; opens the job gate and stops the worker after.
 */
async function withIdleWorker(
  concurrency: number,
  test: (parts: ReturnType<typeof workerOn> & { client: QueueClient; jobs: StorageJobQueue }) => Promise<void>,
  waitForQuiet?: () => Promise<void>,
) {
  const client = await freshQueue();
  const parts = workerOn(client, concurrency, waitForQuiet);
  const jobs = new StorageJobQueue(client);
  jobs.takeOwnJobsWith(parts.worker);
  parts.worker.start();
  try {
    await parts.idle();
    await test({ ...parts, client, jobs });
  } finally {
    parts.finishJobs();
    await parts.worker.stop();
  }
}

describe('QueueWorker', () => {
  it('runs a job this process enqueues at once without receiving it, hidden from other workers, and deletes it when done', () =>
    withIdleWorker(4, async ({ client, jobs, ran, receives, finishJobs }) => {
      await jobs.enqueue({ type: 'discover', requestId: 'DSR-2026-0001' });
      await waitFor('the job, well within the pause', () => (ran.length === 1 ? true : undefined), 1_000);

      // On the queue, but hidden while it runs.
      expect((await client.getProperties()).approximateMessagesCount).toBe(1);
      expect((await client.peekMessages({ numberOfMessages: 32 })).peekedMessageItems).toEqual([]);
      finishJobs();
      await waitFor('the job\'s message removed', async () => ((await client.getProperties()).approximateMessagesCount === 0 ? true : undefined));
      // No receive took it.
      expect(receives.messages).toBe(0);
    }));

  it('puts a job of this process on the queue when every slot is busy, and takes it from there when one frees', () =>
    withIdleWorker(1, async ({ client, jobs, ran, receives, finishJobs }) => {
      await jobs.enqueue({ type: 'discover', requestId: 'DSR-2026-0001' });
      await waitFor('the first job', () => (ran.length === 1 ? true : undefined), 1_000);
      await jobs.enqueue({ type: 'execute', requestId: 'DSR-2026-0001' });
      expect((await client.peekMessages()).peekedMessageItems.map((m) => m.messageText)).toEqual([JSON.stringify({ type: 'execute', requestId: 'DSR-2026-0001' })]);

      finishJobs();
      await waitFor('the second job, received', () => (ran.length === 2 ? true : undefined), 1_000);
      expect(receives.messages).toBe(1);
      await waitFor('both messages removed', async () => ((await client.getProperties()).approximateMessagesCount === 0 ? true : undefined));
    }));

  it('puts a job of this process behind the ones waiting on the queue, even with a slot free while the worker waits for quiet', () => {
    // Quiet until the test says otherwise: the worker's turn comes after the foreground's.
    let quietNow: Promise<void> = Promise.resolve();
    let endTurns!: () => void;
    return withIdleWorker(1, async ({ client, jobs, ran, finishJobs }) => {
      const text = (requestId: string) => JSON.stringify({ type: 'discover', requestId });
      await jobs.enqueue({ type: 'discover', requestId: 'DSR-2026-0011' });
      await waitFor('the first job', () => (ran.length === 1 ? true : undefined), 1_000);
      await jobs.enqueue({ type: 'discover', requestId: 'DSR-2026-0012' });
      quietNow = new Promise((resolve) => (endTurns = resolve));
      try {
        // The slot frees; the worker waits for quiet before it receives the job waiting on the queue.
        finishJobs();
        await waitFor('the first job done', async () => ((await client.getProperties()).approximateMessagesCount === 1 ? true : undefined));
        await jobs.enqueue({ type: 'discover', requestId: 'DSR-2026-0013' });

        expect((await client.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageText)).toEqual([text('DSR-2026-0012'), text('DSR-2026-0013')]);
      } finally {
        endTurns();
      }
      await waitFor('all three jobs', () => (ran.length === 3 ? true : undefined), 5_000);
      expect(ran.map((job) => job.requestId)).toEqual(['DSR-2026-0011', 'DSR-2026-0012', 'DSR-2026-0013']);
    }, () => quietNow);
  });

  it('gives a job of this process to any worker once its hidden message shows again, when this process never ran it', async () => {
    const client = await freshQueue();
    const jobs = new StorageJobQueue(client);
    // A process that dies between sending the job's message and running it.
    jobs.takeOwnJobsWith({ claim: () => ({ visibilityTimeoutSeconds: 1, run: () => undefined, release: () => undefined }), nudge: () => undefined });
    const job = JSON.stringify({ type: 'execute', requestId: 'DSR-2026-0003' });
    await jobs.enqueue(JSON.parse(job) as Job);

    expect(await othersSee(client)).toEqual([]);
    expect(await waitFor('the message to show again', async () => ((await othersSee(client)).includes(job) ? true : undefined), 5_000)).toBe(true);
  });
});

describe('StorageJobQueue', () => {
  it('tells when the job at the front of the line was queued, and that none waits while the only job is being run', async () => {
    const client = await freshQueue();
    const jobs = new StorageJobQueue(client);
    expect(await jobs.oldestWaiting()).toBeUndefined();
    // A job this process runs itself is sent hidden: it is not waiting.
    await client.sendMessage(JSON.stringify({ type: 'execute', requestId: 'DSR-2026-0021' }), { visibilityTimeout: 30 });
    expect(await jobs.oldestWaiting()).toBeUndefined();

    const first = await client.sendMessage(JSON.stringify({ type: 'execute', requestId: 'DSR-2026-0022' }));
    await jobs.enqueue({ type: 'execute', requestId: 'DSR-2026-0023' });
    expect(await jobs.oldestWaiting()).toEqual(first.insertedOn);
  });
});
