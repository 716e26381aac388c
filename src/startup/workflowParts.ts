import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { TeamsBotAdapter } from '../bot/teamsBotAdapter';
import { TeamsDigestAnnouncer } from '../bot/digestAnnouncer';
import { TeamsNotifier } from '../bot/teamsNotifier';
import { Config } from '../config';
import { AccountLifecycle, Clock, Executor, isLongRunningExport, JobDispatch, Logger, NoticeSender, ReminderSweep, RequestService, RestrictionLifter, RetentionSweep, ServiceExports } from '../dsr';
import { AuditAnchorSweep, DebouncedAuditAnchor } from '../storage/auditAnchor';
import { AuditDigests } from '../storage/auditDigests';
import { BlobLeaseLock } from '../storage/blobLease';
import { ErasureFollowUp } from '../storage/erasureFollowUp';
import { RegisterPublisher } from '../storage/registerPublisher';
import { connectServices } from './serviceParts';
import { StorageParts } from './storageParts';

export type WorkflowParts = ReturnType<typeof wireWorkflow>;

interface WorkflowOptions {
  clock: Clock;
  log: Logger;
  /** The Bot Framework adapter the notifier posts through. */
  botAdapter: TeamsBotAdapter;
  anchorDelayMs: number;
}

/** The domain's workflow over storage, services and Teams: what requests go through, and the sweeps that keep them moving. */
export function wireWorkflow(config: Config, storage: StorageParts, services: ReturnType<typeof connectServices>, options: WorkflowOptions) {
  const { clock, log } = options;
  const { clients, store, audit, queue, exportsStore: exports } = storage;
  const { adapters, directory } = services;
  const erasureApprovals = config.erasureApprovals;
  const lock = (name: string) => BlobLeaseLock.beside(clients.exports, name, log);

  const notifier = new TeamsNotifier({
    adapter: options.botAdapter, botAppId: config.botAppId, conversations: storage.conversations, exports, clock, log,
    erasureApprovals, exportLinkDays: config.exportLinkDays, audit, defaultLocale: config.defaultLocale, timeZone: config.timeZone,
  });
  const requests = new RequestService({
    store, queue, audit, notifier, adapters, clock, log, erasureApprovals, maxOpenRequests: config.maxOpenRequests, approvers: directory,
  });
  const digests = new AuditDigests({
    container: clients.digests, heads: () => audit.heads(), key: storage.auditKey, clock, log, announcer: new TeamsDigestAnnouncer(notifier, config),
  });
  const anchor = new DebouncedAuditAnchor(() => digests.write(), options.anchorDelayMs, log);
  const anchorSweep = new AuditAnchorSweep({ digests, lock: lock('audit-digest-sweep'), clock });
  const systemLogs = adapters.get('systemLogs');
  const serviceExports = isLongRunningExport(systemLogs)
    ? new ServiceExports({ store, audit, notifier, exports, exporter: systemLogs, clock, log, space: storage.serviceExportSpace, anchor, ...config.serviceExport })
    : undefined;
  const executor = new Executor({
    store, queue, audit, notifier, exports, adapters, clock, log, purgeGraceDays: config.purgeGraceDays, anchor, serviceExports,
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: config.jobVisibilitySeconds * 1000,
  });
  const lifecycle = new AccountLifecycle({ store, queue, audit, notifier, adapters, approvers: directory, clock, log, erasureApprovals });
  const lifter = new RestrictionLifter({ store, audit, notifier, adapters, clock, log, anchor });
  // One instance sweeps at a time (a blob lease); each reminder is claimed on its request before it is posted.
  const reminders = new ReminderSweep({ store, notifier, audit, lock: lock('reminder-sweep'), clock, log });
  const retention = new RetentionSweep({ store, audit, clock, log, pseudonymKey: config.pseudonymKey, retentionMonths: config.retentionMonths });
  const register = new RegisterPublisher({
    store, container: clients.exports, links: exports, clock, pseudonymKey: config.pseudonymKey, linkDays: config.exportLinkDays,
    locale: config.defaultLocale,
  });
  const erasureFollowUp = new ErasureFollowUp({ store, conversations: storage.conversations, audit, clock, log, pseudonymKey: config.pseudonymKey });
  return {
    requests, executor, lifecycle, serviceExports, reminders, retention, register, erasureFollowUp, digests, anchor, anchorSweep,
    jobs: new JobDispatch({ requests, executor, lifter, serviceExports, notices: new NoticeSender({ store, notifier, clock, log }) }),
    stalledLock: lock('stalled-sweep'),
  };
}
