import { errorCode, Logger } from '../dsr';
import { StorageParts } from './storageParts';
import { WorkflowParts } from './workflowParts';

/** Starts the periodic sweeps of one instance; returns how to stop them. A failed sweep is logged and tried again next time. */
export function startSweeps(workflow: WorkflowParts, queue: StorageParts['queue'], everyMs: number, log: Logger): () => void {
  const { executor, serviceExports, requests, stalledLock, reminders, retention, anchorSweep, erasureFollowUp } = workflow;
  const run = (name: string, sweep: () => Promise<unknown>) => sweep().catch((error) => log.warn({ error: errorCode(error) }, `${name} sweep failed`));
  const timer = setInterval(() => {
    run('purge', () => executor.enqueueDuePurges());
    // Every instance may queue a due poll: the poll claims the request, so duplicates check once.
    run('service export', async () => {
      const ids = (await serviceExports?.duePolls()) ?? [];
      await Promise.all(ids.map((requestId) => queue.enqueue({ type: 'pollServiceExport', requestId })));
    });
    // One instance at a time: every instance re-queuing the same request was how two runs began at once.
    run('stalled-request', () => stalledLock.runExclusive(() => requests.enqueueStalled()));
    run('reminder', () => reminders.sweep());
    run('retention', () => retention.sweep());
    run('audit digest', () => anchorSweep.sweep());
    run('erasure follow-up', () => erasureFollowUp.sweep());
  }, everyMs);
  return () => clearInterval(timer);
}
