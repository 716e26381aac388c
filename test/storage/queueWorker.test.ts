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

/** A worker on `client` that records the jobs it started, counts its receives, and finishes a job when its gate opens. */
function workerOn(client: QueueClient) {
  const ran: Job[] = [];
  let receives = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const counted = new Proxy(client, {
    get(target, name, receiver) {
      if (name === 'receiveMessages') return (...args: Parameters<QueueClient['receiveMessages']>) => (receives++, target.receiveMessages(...args));
      return Reflect.get(target, name, receiver) as unknown;
    },
  });
  const worker = new QueueWorker(counted, async (job) => {
    ran.push(job);
    await gate;
  }, { visibilityTimeoutSeconds: 30, maxDeliveries: 5, maxIdleMs: HOUR_MS, concurrency: 4 }, quiet);
  return { worker, ran, receives: () => receives, finishJobs: open };
}

describe('QueueWorker', () => {
  it('takes a job this process enqueued at once, however long its idle pause, and looks at an emptied queue again only when nudged', async () => {
    const client = await freshQueue();
    const { worker, ran, receives, finishJobs } = workerOn(client);
    const jobs = new StorageJobQueue(client);
    jobs.onEnqueued(() => worker.nudge());
    worker.start();
    try {
      // Six empty polls: the pause after the sixth is 3.2 s (50 ms, doubled each time), and longer after the next.
      await waitFor('six empty polls', () => (receives() >= 6 ? true : undefined));
      await jobs.enqueue({ type: 'discover', requestId: 'DSR-2026-0001' });
      await waitFor('the job, well within the pause', () => (ran.length === 1 ? true : undefined), 1_000);
      const looks = receives();

      // The take left the queue empty: the job's end sends the worker nowhere.
      finishJobs();
      await waitFor('the job\'s message removed', async () => ((await client.getProperties()).approximateMessagesCount === 0 ? true : undefined));
      await new Promise((resolve) => setImmediate(resolve));
      expect(receives()).toBe(looks);

      // A job another process put on the queue waits for a poll; one of this process's, nudged, takes it along.
      await client.sendMessage(JSON.stringify({ type: 'discover', requestId: 'DSR-2026-0002' }));
      await jobs.enqueue({ type: 'execute', requestId: 'DSR-2026-0001' });
      await waitFor('both jobs', () => (ran.length === 3 ? true : undefined), 1_000);
      expect(receives()).toBe(looks + 1);
      expect(ran.map((job) => `${job.type} ${job.requestId}`).sort()).toEqual(['discover DSR-2026-0001', 'discover DSR-2026-0002', 'execute DSR-2026-0001']);
    } finally {
      await worker.stop();
    }
  });
});
