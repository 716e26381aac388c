// First of all: the telemetry's instrumentation patches the HTTP modules as the ones below load them.
import { startTelemetry, stopTelemetry } from './telemetry';
startTelemetry(process.env);
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DefaultAzureCredential } from '@azure/identity';
import { TokenCredential } from '@azure/core-auth';
import { EntraDirectory } from './adapters/entra/entraDirectory';
import { createGraphClient } from './adapters/calls/graphClient';
import { createServiceAdapters } from './adapters/serviceAdapters';
import { createApplication } from './bot/app';
import { createBotAdapter } from './bot/createBotAdapter';
import { TeamsDigestAnnouncer } from './bot/digestAnnouncer';
import { TeamsNotifier } from './bot/teamsNotifier';
import { Config, ConfigError, loadConfig } from './config';
import { AccountLifecycle, Clock, errorCode, Executor, isLongRunningExport, JobDispatch, Logger, ReminderSweep, RequestService, RestrictionLifter, RetentionSweep, ServiceExports, ServiceName, systemClock } from './dsr';
import { createLogger } from './log';
import { SandboxCredential } from './sandbox/sandboxCredential';
import { loadTenant } from './sandbox/tenant';
import { createServer } from './server';
import { AuditAnchorSweep, DebouncedAuditAnchor } from './storage/auditAnchor';
import { AuditDigests } from './storage/auditDigests';
import { loadAuditKey } from './storage/auditKey';
import { BlobExportStore } from './storage/blobExportStore';
import { BlobLeaseLock } from './storage/blobLease';
import { ConversationStore } from './storage/conversationStore';
import { ErasureFollowUp } from './storage/erasureFollowUp';
import { StorageOwnTraces } from './storage/ownTraces';
import { QueueWorker, StorageJobQueue } from './storage/queueJobs';
import { RegisterPublisher } from './storage/registerPublisher';
import { ServiceExportContainers } from './storage/serviceExportContainers';
import { PersonRateLimiter } from './storage/personRateLimiter';
import { createStorageClients, ensureStorage, storageAnswers } from './storage/storageClients';
import { TableAuditLog } from './storage/tableAuditLog';
import { TableRequestStore } from './storage/tableRequestStore';

export interface RunningBot {
  url: string;
  port: number;
  executor: Executor;
  store: TableRequestStore;
  audit: TableAuditLog;
  /** Reminders and escalations of open requests; swept on the interval, callable directly in tests. */
  reminders: ReminderSweep;
  /** Pseudonymises closed requests after DSR_RETENTION_MONTHS; swept on the interval, callable directly in tests. */
  retention: RetentionSweep;
  /** Removes what an erasure keeps only for its receipt; swept on the interval, callable directly in tests. */
  erasureFollowUp: ErasureFollowUp;
  /** The DSR register behind the compliance channel's `report`. */
  register: RegisterPublisher;
  /** The audit digests, written after requests close (`anchor`) and daily (`anchorSweep`). */
  digests: AuditDigests;
  /** Debounces the digests asked for when requests close; `idle()` waits for them in tests. */
  anchor: DebouncedAuditAnchor;
  /** The daily digest; swept on the interval, callable directly in tests. */
  anchorSweep: AuditAnchorSweep;
  /** Stops taking work, lets jobs in flight finish, closes the server. */
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  log?: Logger;
  /** Sandbox health URLs that /readyz waits for (sandbox mode). */
  sandboxHealthUrls?: Record<string, string>;
  /** How often soft-deleted accounts are checked for purge, stalled requests for a lost job, and open requests for reminders. */
  sweepMs?: number;
  /** How long after a request closes its audit digest is written; closings meanwhile share it. Default 30 seconds. */
  anchorDelayMs?: number;
}

/** Wires every part from `config` and starts serving. */
export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  const credential: TokenCredential = config.sandbox ? new SandboxCredential() : new DefaultAzureCredential();

  const clients = createStorageClients(config);
  await ensureStorage(clients);
  const store = new TableRequestStore(clients.requests, clients.counters);
  // In sandbox mode the key file is made on the first start; elsewhere it comes from the setting (Key Vault in Azure).
  const auditKey = loadAuditKey(config.auditKey, { create: config.sandbox });
  const audit = new TableAuditLog(clients.audit, clock, auditKey);
  const conversations = new ConversationStore(clients.conversations, config.pseudonymKey);
  const exportsStore = new BlobExportStore(clients.exports, clock, audit);
  const queue = new StorageJobQueue(clients.jobs);

  const graph = createGraphClient(config.graphUrl, credential);
  const directory = new EntraDirectory(graph, config.approverGroupId, config.approverPersonKey);
  // One client for the service export places: the export writes there, and erasure removes what an export left behind.
  const serviceExportSpace = ServiceExportContainers.in(config.serviceExport.storageConnectionString, clients.exports, clock);
  const adapters = createServiceAdapters(config, { credential, graph, store, ownTraces: new StorageOwnTraces(conversations, clients.exports, serviceExportSpace) });

  const adapter = createBotAdapter(config, log);

  const notifier = new TeamsNotifier({
    adapter,
    botAppId: config.botAppId,
    conversations,
    exports: exportsStore,
    clock,
    log,
    erasureApprovals: config.erasureApprovals,
    exportLinkDays: config.exportLinkDays,
    audit,
    defaultLocale: config.defaultLocale,
    timeZone: config.timeZone,
  });
  const requests = new RequestService({
    store, queue, audit, notifier, adapters, clock, log, erasureApprovals: config.erasureApprovals, maxOpenRequests: config.maxOpenRequests, approvers: directory,
  });
  const digests = new AuditDigests({
    container: clients.digests, heads: () => audit.heads(), key: auditKey, clock, log, announcer: new TeamsDigestAnnouncer(notifier, config),
  });
  const anchor = new DebouncedAuditAnchor(() => digests.write(), options.anchorDelayMs ?? 30_000, log);
  const anchorSweep = new AuditAnchorSweep({ digests, lock: BlobLeaseLock.beside(clients.exports, 'audit-digest-sweep', log), clock });
  const systemLogs = adapters.get('systemLogs');
  const serviceExports = isLongRunningExport(systemLogs) ? new ServiceExports({
    store, audit, notifier, exports: exportsStore, exporter: systemLogs, clock, log, space: serviceExportSpace, anchor, ...config.serviceExport,
  }) : undefined;
  const executor = new Executor({
    store, queue, audit, notifier, exports: exportsStore, adapters, clock, log, purgeGraceDays: config.purgeGraceDays, anchor, serviceExports,
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: config.jobVisibilitySeconds * 1000,
  });
  // One instance sweeps at a time (a blob lease); each reminder is claimed on its request before it is posted.
  const retention = new RetentionSweep({ store, audit, clock, log, pseudonymKey: config.pseudonymKey, retentionMonths: config.retentionMonths });
  const register = new RegisterPublisher({
    store, container: clients.exports, links: exportsStore, clock, pseudonymKey: config.pseudonymKey, linkDays: config.exportLinkDays,
  });
  const erasureFollowUp = new ErasureFollowUp({ store, conversations, audit, clock, log, pseudonymKey: config.pseudonymKey });
  const stalledLock = BlobLeaseLock.beside(clients.exports, 'stalled-sweep', log);
  const reminders = new ReminderSweep({ store, notifier, audit, lock: BlobLeaseLock.beside(clients.exports, 'reminder-sweep', log), clock, log });

  const lifecycle = new AccountLifecycle({ store, queue, audit, notifier, adapters, approvers: directory, clock, log, erasureApprovals: config.erasureApprovals });
  const lifter = new RestrictionLifter({ store, audit, notifier, adapters, clock, log, anchor });
  const jobs = new JobDispatch({ requests, executor, lifter, serviceExports });
  const worker = new QueueWorker(
    clients.jobs,
    jobs.run,
    { visibilityTimeoutSeconds: config.jobVisibilitySeconds, maxDeliveries: 5, maxIdleMs: 1000, concurrency: config.workerConcurrency, onGiveUp: jobs.giveUp },
    log,
  );

  const app = createApplication(adapter, config.botAppId, {
    requests,
    executor,
    lifecycle,
    directory,
    isComplianceOfficer: async (aadObjectId) => (config.complianceGroupId ? directory.isMemberOf(aadObjectId, config.complianceGroupId) : false),
    store,
    conversations,
    clock,
    log,
    offeredServices: [...adapters.keys()],
    defaultRegime: config.defaultRegime,
    defaultLocale: config.defaultLocale,
    timeZone: config.timeZone,
    erasureApprovals: config.erasureApprovals,
    purgeGraceDays: config.purgeGraceDays,
    messagesPerMinute: config.messagesPerMinute,
    invokesPerMinute: config.invokesPerMinute,
    rateLimiter: new PersonRateLimiter(clients.counters, { message: config.messagesPerMinute, invoke: config.invokesPerMinute }, clock, log),
    register,
  });

  const readinessChecks: Record<string, (signal: AbortSignal) => Promise<boolean>> = {
    storage: (signal) => storageAnswers(clients, signal),
  };
  for (const [name, url] of Object.entries(options.sandboxHealthUrls ?? {})) {
    readinessChecks[name] = async (signal) => (await fetch(url, { signal })).ok;
  }
  // Only Teams activities from this tenant are acted on: the bot's own, or the seeded tenant's in the sandbox.
  const teamsTenantId = config.sandbox ? loadTenant().tenantId : config.botTenantId;
  const server = createServer({ adapter, app, readinessChecks, log, teamsTenantId });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const port = (server.address() as { port: number }).port;

  worker.start();
  const sweep = setInterval(() => {
    executor.enqueueDuePurges().catch((error) => log.warn({ error: errorCode(error) }, 'purge sweep failed'));
    // Every instance may queue a due poll: the poll claims the request, so duplicates check once.
    serviceExports?.duePolls().then((ids) => Promise.all(ids.map((requestId) => queue.enqueue({ type: 'pollServiceExport', requestId }))))
      .catch((error) => log.warn({ error: errorCode(error) }, 'service export sweep failed'));
    // One instance at a time: every instance re-queuing the same request was how two runs began at once.
    stalledLock.runExclusive(() => requests.enqueueStalled()).catch((error) => log.warn({ error: errorCode(error) }, 'stalled-request sweep failed'));
    reminders.sweep().catch((error) => log.warn({ error: errorCode(error) }, 'reminder sweep failed'));
    retention.sweep().catch((error) => log.warn({ error: errorCode(error) }, 'retention sweep failed'));
    anchorSweep.sweep().catch((error) => log.warn({ error: errorCode(error) }, 'audit digest sweep failed'));
    erasureFollowUp.sweep().catch((error) => log.warn({ error: errorCode(error) }, 'erasure follow-up sweep failed'));
  }, options.sweepMs ?? 60_000);
  const inboundAuthentication = config.botAppId ? 'bot-framework-jwt' : 'none: no MicrosoftAppId, loopback only';
  log.info({ host: config.host, port, inboundAuthentication, sandbox: config.sandbox, services: [...adapters.keys()] }, 'DSR Bot listening');

  return {
    url: `http://${config.host}:${port}`,
    port,
    executor,
    store,
    audit,
    reminders,
    retention,
    erasureFollowUp,
    register,
    digests,
    anchor,
    anchorSweep,
    async stop() {
      clearInterval(sweep);
      anchor.stop();
      await worker.stop();
      server.close();
    },
  };
}

/** The sandbox health endpoints /readyz waits for: Graph and every service requests reach. */
function sandboxHealthUrls(config: Config): Record<string, string> {
  if (!config.sandbox) return {};
  const urls: Partial<Record<ServiceName | 'graph', string>> = {
    graph: config.graphUrl,
    digitalTwins: config.digitalTwins.url,
    iotCentral: config.iotCentral.url,
    dps: config.dps.url,
    iotHub: `https://${config.iotHub.endpoint}`,
    roleAssignments: config.roleAssignments.url,
  };
  return Object.fromEntries(
    (Object.entries(urls) as [ServiceName | 'graph', string][])
      .filter(([name]) => name === 'graph' || config.services.includes(name))
      .map(([name, url]) => [name, `${url}/_sandbox/health`]),
  );
}

async function main(): Promise<void> {
  let config: Config;
  try {
    const tenant = loadTenant();
    config = loadConfig(process.env, tenant.approverGroup.id, tenant.complianceGroup.id);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  if (!config.botAppId) log.warn({ host: config.host }, 'no MicrosoftAppId: requests are not authenticated, listening on loopback only');
  const bot = await startBot(config, { log, sandboxHealthUrls: sandboxHealthUrls(config) });
  // SIGTERM (a deploy, a scale-in) or Ctrl-C drains: no new jobs are taken, the jobs in flight
  // finish, then the process exits 0. A second signal while draining exits at once; the jobs still
  // in flight show on the queue again after DSR_JOB_VISIBILITY_SECONDS and resume where they stopped.
  let draining = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (draining) {
      log.warn({ signal }, 'second signal while draining: stopping now, unfinished jobs will be delivered again');
      process.exit(1);
    }
    draining = true;
    const started = Date.now();
    log.info({ signal }, 'draining jobs and stopping');
    bot.stop().then(stopTelemetry).then(
      () => {
        log.info({ signal, drainMs: Date.now() - started }, 'drained, exiting');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ signal, error: errorCode(error) }, 'drain failed, exiting');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (require.main === module) {
  main().catch((error) => {
    console.error('DSR Bot failed to start:', errorCode(error) || error);
    process.exit(1);
  });
}
