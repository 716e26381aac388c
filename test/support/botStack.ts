import path from 'node:path';
import { loadConfig } from '../../src/config';
import { RunningBot, StartOptions, startBot } from '../../src/index';
import { createLogger } from '../../src/log';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { SandboxUrls, sandboxServiceEnv, spawnSandboxServices } from '../../src/sandbox/sandboxServices';
import { loadTenant, Tenant, TenantUser } from '../../src/sandbox/tenant';
import { freshDataDir } from './dataDir';
import { FakeBotConnector } from './fakeBotConnector';
import { TeamsClient } from './teamsClient';

export interface BotStack {
  tenant: Tenant;
  dataDir: string;
  azurite: RunningAzurite;
  /** The sandbox services, in a process of their own. */
  sandbox: SandboxUrls;
  connector: FakeBotConnector;
  bot: RunningBot;
  teams: TeamsClient;
  /** Every log line the bot wrote, as JSON text. */
  logLines: string[];
  user(name: string): TenantUser;
  /** Stops the bot and starts a new one on the same storage and services, as after a deploy or crash. */
  restartBot(): Promise<void>;
  /** A second bot instance on the same storage and services, as in a scale-out; stopped with the stack. */
  startAnotherBot(): Promise<{ bot: RunningBot; teams: TeamsClient }>;
  stop(): Promise<void>;
}

/** The settings of a bot under test: the sandbox on free ports, this Azurite, quick retries. */
export function testBotEnv(parts: { azurite: RunningAzurite; sandbox: SandboxUrls; tenant: Tenant; dataDir: string; jobVisibilitySeconds: number }): Record<string, string> {
  return {
    DSR_SANDBOX: 'on',
    PORT: '0',
    DSR_STORAGE_CONNECTION_STRING: parts.azurite.connectionString,
    ...sandboxServiceEnv(parts.sandbox),
    // Retries as in production, but quick: fault tests inject bursts of 429 and 500.
    DSR_CALL_BASE_DELAY_MS: '20',
    DSR_APPROVER_GROUP_ID: parts.tenant.approverGroup.id,
    DSR_COMPLIANCE_GROUP_ID: parts.tenant.complianceGroup.id,
    DSR_DATA_DIR: parts.dataDir,
    DSR_JOB_VISIBILITY_SECONDS: String(parts.jobVisibilitySeconds),
  };
}

/** The bot in-process with Azurite, the sandbox Graph and a loopback Bot Connector, on free ports. */
export async function startBotStack(
  label: string,
  env: Record<string, string> = {},
  /** Runs on the fresh data folder before anything starts, e.g. to seed a service differently. */
  prepare?: (dataDir: string, tenant: Tenant) => void,
  /** `clock`: the time every bot instance of the stack runs on, for tests that move it; `sweepMs`: their sweep interval; `anchorDelayMs`: their audit digests' debounce. */
  options: Pick<StartOptions, 'clock' | 'sweepMs' | 'anchorDelayMs'> = {},
): Promise<BotStack> {
  const tenant = loadTenant();
  const dataDir = freshDataDir(label);
  prepare?.(dataDir, tenant);
  const azurite = await startAzurite({ location: `${dataDir}/azurite` });
  const sandbox = await spawnSandboxServices(
    { dataDir, ports: { graph: 0, digitalTwins: 0, iotCentral: 0, dps: 0, iotHub: 0, arm: 0 } },
    path.resolve('dist/src/sandbox/serveSandbox.js'),
  );
  const connector = new FakeBotConnector();
  await connector.start();
  const logLines: string[] = [];
  const config = loadConfig({ ...testBotEnv({ azurite, sandbox: sandbox.urls, tenant, dataDir, jobVisibilitySeconds: 30 }), ...env });
  const start = () => startBot(config, { ...options, log: createLogger('info', { write: (line: string) => logLines.push(line) }) });
  const bot = await start();
  const others: RunningBot[] = [];
  const stack: BotStack = {
    tenant,
    dataDir,
    azurite,
    sandbox: sandbox.urls,
    connector,
    bot,
    teams: new TeamsClient(bot.url, connector.url, tenant.tenantId),
    logLines,
    user(name: string) {
      const user = tenant.users.find((u) => u.displayName.startsWith(name));
      if (!user) throw new Error(`no seeded user ${name}`);
      return user;
    },
    async restartBot() {
      await stack.bot.stop();
      stack.bot = await start();
      stack.teams = new TeamsClient(stack.bot.url, connector.url, tenant.tenantId);
    },
    async startAnotherBot() {
      const another = await start();
      others.push(another);
      return { bot: another, teams: new TeamsClient(another.url, connector.url, tenant.tenantId) };
    },
    async stop() {
      await Promise.all([stack.bot, ...others].map((b) => b.stop()));
      // The test may have replaced Azurite (an outage and a restart): stop the one running now.
      await Promise.all([sandbox.stop(), connector.stop(), stack.azurite.stop()]);
    },
  };
  return stack;
}
