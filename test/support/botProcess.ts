import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { QueueClient } from '@azure/storage-queue';
import { AUDIT_KEY_FILE_NAME } from '../../src/config';
import { systemClock } from '../../src/dsr';
import { loadAuditKey } from '../../src/storage/auditKey';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { SandboxUrls, spawnSandboxServices } from '../../src/sandbox/sandboxServices';
import { loadTenant, Tenant, TenantUser } from '../../src/sandbox/tenant';
import { storageClientsFromConnectionString } from '../../src/storage/storageClients';
import { TableAuditLog } from '../../src/storage/tableAuditLog';
import { TableRequestStore } from '../../src/storage/tableRequestStore';
import { testBotEnv } from './botStack';
import { freshDataDir } from './dataDir';
import { FakeBotConnector } from './fakeBotConnector';
import { TeamsClient } from './teamsClient';

/** A killed bot's job shows on the queue again this soon (DSR_JOB_VISIBILITY_SECONDS of the bots started here). */
export const JOB_VISIBILITY_SECONDS = 2;

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The bot as `node dist/src/index.js`, as it runs in production: its own process, killable. */
export interface BotProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Every line it wrote to stdout (pino JSON) and stderr, in order. */
  lines: string[];
  /** The JSON log lines, parsed. */
  logs(): Record<string, unknown>[];
  exited: Promise<Exit>;
}

/** Starts the compiled bot with `env` (on top of this process's) and waits for its 'DSR Bot listening' line. */
export async function spawnBot(env: Record<string, string>, timeoutMs = 30_000): Promise<BotProcess> {
  const child = spawn(process.execPath, [path.resolve('dist/src/index.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const port = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = parseLine(line);
      if (entry?.msg === 'DSR Bot listening' && typeof entry.port === 'number') resolve(entry.port);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
    void exited.then((exit) => reject(new Error(`the bot exited (${exit.code ?? exit.signal}) before listening:\n${lines.slice(-20).join('\n')}`)));
    setTimeout(() => reject(new Error(`the bot did not log 'DSR Bot listening' within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`)), timeoutMs).unref();
  });
  try {
    const listening = await port;
    return {
      child,
      url: `http://127.0.0.1:${listening}`,
      port: listening,
      lines,
      logs: () => lines.map(parseLine).filter((entry): entry is Record<string, unknown> => entry !== undefined),
      exited,
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

function parseLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Azurite, the sandbox services and a loopback Bot Connector in processes that outlive the bot,
 * and the bot as a child process that a test can kill and start again on the same state.
 */
export interface ProcessStack {
  tenant: Tenant;
  sandbox: SandboxUrls;
  connector: FakeBotConnector;
  /** The bot running now (the newest one started). */
  bot: BotProcess;
  teams: TeamsClient;
  /** The bot's own tables and job queue, read directly from Azurite. */
  store: TableRequestStore;
  audit: TableAuditLog;
  jobs: QueueClient;
  user(name: string): TenantUser;
  /** Starts a bot on the same storage and services (the previous one must have exited). */
  startBot(): Promise<BotProcess>;
  stop(): Promise<void>;
}

export async function startProcessStack(label: string, env: Record<string, string> = {}): Promise<ProcessStack> {
  if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error('NODE_EXTRA_CA_CERTS is not set: run the tests through npm test (test/support/runTests.ts).');
  const tenant = loadTenant();
  const dataDir = freshDataDir(label);
  const started: { azurite?: RunningAzurite; sandbox?: { stop(): Promise<void> }; connector?: FakeBotConnector } = {};
  const bots: BotProcess[] = [];
  const stopAll = async () => {
    for (const bot of bots) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
    await Promise.all(bots.map((bot) => bot.exited));
    await Promise.all([started.sandbox?.stop(), started.connector?.stop(), started.azurite?.stop()]);
  };
  try {
    const azurite = (started.azurite = await startAzurite({ location: `${dataDir}/azurite` }));
    const sandbox = await spawnSandboxServices(
      { dataDir, ports: { graph: 0, digitalTwins: 0, iotCentral: 0, dps: 0, iotHub: 0, arm: 0 } },
      path.resolve('dist/src/sandbox/serveSandbox.js'),
    );
    started.sandbox = sandbox;
    const connector = (started.connector = new FakeBotConnector());
    await connector.start();
    const botEnv = {
      ...testBotEnv({ azurite, sandbox: sandbox.urls, tenant, dataDir, jobVisibilitySeconds: JOB_VISIBILITY_SECONDS }),
      DSR_LOG_LEVEL: 'info',
      ...env,
    };
    const clients = storageClientsFromConnectionString(azurite.connectionString);
    const first = await spawnBot(botEnv);
    bots.push(first);
    const stack: ProcessStack = {
      tenant,
      sandbox: sandbox.urls,
      connector,
      bot: first,
      teams: new TeamsClient(first.url, connector.url, tenant.tenantId),
      store: new TableRequestStore(clients.requests, clients.counters),
      // The key the bots create in the data folder on their first start (the first one has started).
      audit: new TableAuditLog(clients.audit, systemClock, loadAuditKey({ kind: 'file', path: path.join(dataDir, AUDIT_KEY_FILE_NAME) })),
      jobs: clients.jobs,
      user(name: string) {
        const user = tenant.users.find((u) => u.displayName.startsWith(name));
        if (!user) throw new Error(`no seeded user ${name}`);
        return user;
      },
      async startBot() {
        const running = bots.find((bot) => bot.child.exitCode === null && bot.child.signalCode === null);
        if (running) throw new Error(`a bot is still running (pid ${running.child.pid})`);
        const bot = await spawnBot(botEnv);
        bots.push(bot);
        stack.bot = bot;
        stack.teams = new TeamsClient(bot.url, connector.url, tenant.tenantId);
        return bot;
      },
      stop: stopAll,
    };
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
