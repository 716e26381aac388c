import { Job } from '../ports';
import { Executor } from './executor';
import { NoticeSender } from './noticeOutbox';
import { RequestService } from './requestService';
import { RestrictionLifter } from './restrictionLifter';
import { ServiceExports } from './serviceExports';

export interface JobDispatchDeps {
  requests: Pick<RequestService, 'discover'>;
  executor: Pick<Executor, 'execute' | 'purge' | 'abandon'>;
  lifter: Pick<RestrictionLifter, 'lift'>;
  /** Absent when no service runs a long export (no system-generated logs configured). */
  serviceExports?: Pick<ServiceExports, 'poll'>;
  notices: Pick<NoticeSender, 'sendPending' | 'sendLeavingRecord'>;
}

/** Which workflow step each queued job runs, and what happens to a job that keeps failing. */
export class JobDispatch {
  constructor(private readonly deps: JobDispatchDeps) {}

  readonly run = (job: Job): Promise<void> => {
    const id = job.requestId;
    switch (job.type) {
      // A job enqueued by a change sends the outbox the change held for it (`job.hold`).
      case 'notify':
        return this.deps.notices.sendPending(id, job.hold);
      // The notices of the change that enqueued the job go out before the job moves the request on,
      // and the job's first write records them.
      case 'discover':
        return this.deps.notices.sendLeavingRecord(id, job.hold).then((sent) => this.deps.requests.discover(id, sent));
      // A run's first write is followed by a refresh of the posted cards ('progress'), so the
      // notices before it (the approval, mostly) leave them as they are: a card replaced twice
      // within moments is two calls to Teams, the first one's view never seen.
      case 'execute':
        return this.deps.notices.sendLeavingRecord(id, job.hold, { cardsRefreshedNext: true }).then((sent) => this.deps.executor.execute(id, sent));
      case 'purge':
        return this.deps.executor.purge(id);
      case 'lift':
        return this.deps.lifter.lift(id);
      case 'pollServiceExport':
        return this.deps.serviceExports?.poll(id) ?? Promise.resolve();
    }
  };

  /** A job that keeps failing leaves its request where approvers can retry it, never stranded. */
  readonly giveUp = (job: Job): Promise<void> => (job.type === 'execute' ? this.deps.executor.abandon(job.requestId) : Promise.resolve());
}
