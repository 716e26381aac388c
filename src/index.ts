import { DefaultAzureCredential } from '@azure/identity';
import { TokenCredential } from '@azure/core-auth';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { ConfigurationServiceClientCredentialFactory, TurnContext } from 'botbuilder';
import { EntraDirectory } from './adapters/entraDirectory';
import { createGraphClient } from './adapters/graphClient';
import { createServiceAdapters } from './adapters/serviceAdapters';
import { createApplication } from './bot/app';
import { TeamsNotifier } from './bot/teamsNotifier';
import { Config, ConfigError, loadConfig } from './config';
import { Clock, systemClock } from './dsr/clock';
import { Executor } from './dsr/executor';
import { errorCode } from './dsr/failures';
import { Job, Logger } from './dsr/ports';
import { RequestService } from './dsr/requestService';
import { ServiceName } from './dsr/types';
import { createLogger } from './log';
import { SandboxCredential } from './sandbox/sandboxCredential';
import { loadTenant } from './sandbox/tenant';
import { createServer } from './server';
import { BlobExportStore } from './storage/blobExportStore';
import { ConversationStore } from './storage/conversationStore';
import { QueueWorker, StorageJobQueue } from './storage/queueJobs';
import { ensureStorage, storageAnswers, storageClientsFromConnectionString } from './storage/storageClients';
import { TableAuditLog } from './storage/tableAuditLog';
import { TableRequestStore } from './storage/tableRequestStore';

export interface RunningBot {
  url: string;
  port: number;
  executor: Executor;
  store: TableRequestStore;
  audit: TableAuditLog;
  /** Stops taking work, lets jobs in flight finish, closes the server. */
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  log?: Logger;
  /** Sandbox health URLs that /readyz waits for (sandbox mode). */
  sandboxHealthUrls?: Record<string, string>;
  /** How often soft-deleted accounts are checked for purge. */
  purgeSweepMs?: number;
}

/** Wires every part from `config` and starts serving. */
export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  const credential: TokenCredential = config.sandbox ? new SandboxCredential() : new DefaultAzureCredential();

  const clients = storageClientsFromConnectionString(config.storageConnectionString);
  await ensureStorage(clients);
  const store = new TableRequestStore(clients.requests, clients.counters);
  const audit = new TableAuditLog(clients.audit, clock);
  const conversations = new ConversationStore(clients.conversations);
  const exportsStore = new BlobExportStore(clients.exports, clock);
  const queue = new StorageJobQueue(clients.jobs);

  const graph = createGraphClient(config.graphUrl, credential);
  const directory = new EntraDirectory(graph, config.approverGroupId);
  const adapters = createServiceAdapters(config, { credential, graph, store });

  const adapter = new TeamsAdapter(
    {},
    new ConfigurationServiceClientCredentialFactory({
      MicrosoftAppId: config.botAppId,
      MicrosoftAppPassword: config.botAppPassword,
      MicrosoftAppType: config.botAppId ? 'SingleTenant' : undefined,
      MicrosoftAppTenantId: config.botTenantId,
    }),
  );
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ error: errorCode(error), activity: context.activity.type }, 'turn failed');
  };

  const notifier = new TeamsNotifier({
    adapter,
    botAppId: config.botAppId,
    conversations,
    store,
    exports: exportsStore,
    clock,
    log,
    erasureApprovals: config.erasureApprovals,
    exportLinkDays: config.exportLinkDays,
  });
  const requests = new RequestService({ store, queue, audit, notifier, adapters, clock, log, erasureApprovals: config.erasureApprovals });
  const executor = new Executor({ store, queue, audit, notifier, exports: exportsStore, adapters, clock, log, purgeGraceDays: config.purgeGraceDays });

  const runJob = (job: Job) =>
    job.type === 'discover' ? requests.discover(job.requestId) : job.type === 'execute' ? executor.execute(job.requestId) : executor.purge(job.requestId);
  const worker = new QueueWorker(
    clients.jobs,
    runJob,
    { visibilityTimeoutSeconds: config.jobVisibilitySeconds, maxDeliveries: 5, maxIdleMs: 1000, concurrency: config.workerConcurrency },
    log,
  );

  const app = createApplication(adapter, config.botAppId, {
    requests,
    executor,
    directory,
    store,
    conversations,
    clock,
    log,
    offeredServices: [...adapters.keys()],
    defaultRegime: config.defaultRegime,
    erasureApprovals: config.erasureApprovals,
    purgeGraceDays: config.purgeGraceDays,
  });

  const readinessChecks: Record<string, (signal: AbortSignal) => Promise<boolean>> = {
    storage: (signal) => storageAnswers(clients, signal),
  };
  for (const [name, url] of Object.entries(options.sandboxHealthUrls ?? {})) {
    readinessChecks[name] = async (signal) => (await fetch(url, { signal })).ok;
  }
  const server = createServer({ adapter, app, readinessChecks, log });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const port = (server.address() as { port: number }).port;

  worker.start();
  const sweep = setInterval(() => {
    executor.enqueueDuePurges().catch((error) => log.warn({ error: errorCode(error) }, 'purge sweep failed'));
  }, options.purgeSweepMs ?? 60_000);
  log.info({ port, sandbox: config.sandbox, services: [...adapters.keys()] }, 'DSR Bot listening');

  return {
    url: `http://${config.host}:${port}`,
    port,
    executor,
    store,
    audit,
    async stop() {
      clearInterval(sweep);
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
    config = loadConfig(process.env, loadTenant().approverGroup.id);
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
  const shutdown = (signal: string) => {
    log.info({ signal }, 'draining jobs and stopping');
    void bot.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((error) => {
    console.error('DSR Bot failed to start:', errorCode(error) || error);
    process.exit(1);
  });
}
