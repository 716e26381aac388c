// First of all: the telemetry's instrumentation patches the HTTP modules as the ones below load them.
import { startTelemetry, stopTelemetry } from './telemetry';
startTelemetry(process.env);
import { createApplication } from './bot/app';
import { createBotAdapter } from './bot/createBotAdapter';
import { Config, ConfigError, loadConfig } from './config';
import { Clock, errorCode, Executor, Logger, ReminderSweep, RetentionSweep, systemClock } from './dsr';
import { ForegroundTurns } from './foregroundTurns';
import { listenOnSockets } from './listeningSockets';
import { createLogger } from './log';
import { loadTenant } from './sandbox/tenant';
import { createServer } from './server';
import { connectServices, sandboxHealthUrls } from './startup/serviceParts';
import { openStorage } from './startup/storageParts';
import { startSweeps } from './startup/sweeps';
import { wireWorkflow } from './startup/workflowParts';
import { AuditAnchorSweep, DebouncedAuditAnchor } from './storage/auditAnchor';
import { AuditDigests } from './storage/auditDigests';
import { ErasureFollowUp } from './storage/erasureFollowUp';
import { PersonRateLimiter } from './storage/personRateLimiter';
import { QueueWorker } from './storage/queueJobs';
import { RegisterPublisher } from './storage/registerPublisher';
import { storageAnswers } from './storage/storageClients';
import { TableAuditLog } from './storage/tableAuditLog';
import { TableRequestStore } from './storage/tableRequestStore';
import { DashboardParts, startDashboard } from './tab/dashboard';

/**
 * Longest a job waits for a moment without activities to answer before it starts anyway. In a
 * burst of people at once the chat is never quiet: at 200 ms every discovery and export started
 * among the clicks it would delay, and the approvals they posted brought more clicks into the
 * burst. A discovery or an export that starts 2 s later is not seen; a card action is.
 */
const JOB_DEFER_MS = 2000;
/** Longest a counted message waits for the card actions being answered before it is answered anyway. */
const MESSAGE_DEFER_MS = 2000;
/**
 * Messages (and other activities but card actions) answered at once; the rest wait their turn.
 * Enough to keep the bot busy while each waits on storage, few enough that a click does not queue
 * behind a whole burst of them.
 */
const MESSAGES_AT_ONCE = 16;

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
  /** The compliance dashboard's read model and its load at start; undefined when the tab has no sign-in configured. */
  dashboard?: DashboardParts;
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
  const storage = await openStorage(config, clock);
  const services = connectServices(config, storage);
  const botAdapter = createBotAdapter(config, log);
  const workflow = wireWorkflow(config, storage, services, { clock, log, botAdapter, anchorDelayMs: options.anchorDelayMs ?? 30_000 });
  const { executor, jobs } = workflow;

  const foreground = new ForegroundTurns(MESSAGES_AT_ONCE);
  const worker = new QueueWorker(
    storage.clients.jobs,
    jobs.run,
    {
      visibilityTimeoutSeconds: config.jobVisibilitySeconds,
      maxDeliveries: 5,
      maxIdleMs: 1000,
      concurrency: config.workerConcurrency,
      waitForQuiet: () => foreground.quiet(JOB_DEFER_MS),
      onGiveUp: jobs.giveUp,
    },
    log,
  );
  storage.queue.takeOwnJobsWith(worker);
  const { directory, adapters } = services;
  const app = createApplication(botAdapter, config.botAppId, {
    requests: workflow.requests,
    executor,
    lifecycle: workflow.lifecycle,
    directory,
    isComplianceOfficer: async (aadObjectId) => (config.complianceGroupId ? directory.isMemberOf(aadObjectId, config.complianceGroupId) : false),
    store: storage.store,
    conversations: storage.conversations,
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
    rateLimiter: new PersonRateLimiter(storage.clients.counters, { message: config.messagesPerMinute, invoke: config.invokesPerMinute }, clock, log),
    cardActionsFirst: () => foreground.invokesAnswered(MESSAGE_DEFER_MS),
    register: workflow.register,
  });

  const readinessChecks: Record<string, (signal: AbortSignal) => Promise<boolean>> = {
    storage: (signal) => storageAnswers(storage.clients, signal),
  };
  for (const [name, url] of Object.entries(options.sandboxHealthUrls ?? {})) {
    readinessChecks[name] = async (signal) => (await fetch(url, { signal })).ok;
  }
  // Only Teams activities from this tenant are acted on: the bot's own, or the seeded tenant's in the sandbox.
  const teamsTenantId = config.sandbox ? loadTenant().tenantId : config.botTenantId;
  const server = createServer({ adapter: botAdapter, app, readinessChecks, log, teamsTenantId, foreground });
  const dashboard = await startDashboard(server, { config, tenantId: teamsTenantId, storage, directory, digests: workflow.digests, clock, log });
  const { port, close: stopListening } = await listenOnSockets(server.server, config.port, config.host);

  worker.start();
  const stopSweeps = startSweeps(workflow, storage.queue, options.sweepMs ?? 60_000, log);
  const inboundAuthentication = config.botAppId ? 'bot-framework-jwt' : 'none: no MicrosoftAppId, loopback only';
  log.info({ host: config.host, port, inboundAuthentication, sandbox: config.sandbox, services: [...adapters.keys()] }, 'DSR Bot listening');

  const { reminders, retention, erasureFollowUp, register, digests, anchor, anchorSweep } = workflow;
  return {
    url: `http://${config.host}:${port}`,
    port,
    executor,
    store: storage.store,
    audit: storage.audit,
    reminders,
    retention,
    erasureFollowUp,
    register,
    digests,
    anchor,
    anchorSweep,
    ...(dashboard ? { dashboard } : {}),
    async stop() {
      stopSweeps();
      anchor.stop();
      await worker.stop();
      stopListening();
    },
  };
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
