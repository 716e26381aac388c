import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TenantUser } from './tenant';

export type { TenantUser } from './tenant';

/** The file the Playground reads from its working folder. */
export const PLAYGROUND_CONFIG_FILE = '.m365agentsplayground.yml';

/**
 * The one team the Playground shows. Its General channel has the team's id (serves as the
 * compliance channel); the Playground allows one more channel (the approvers' channel).
 */
export const PLAYGROUND_TEAM = {
  id: '19:privacy-office@thread.tacv2',
  name: 'Privacy Office',
  aadGroupId: '5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  generalChannelName: 'General',
  approvalsChannelId: '19:dsr-approvals@thread.tacv2',
  approvalsChannelName: 'DSR Approvals',
} as const;

export const PLAYGROUND_GROUP_CHAT = { id: '19:dsr-group-chat@thread.v2', name: 'Privacy Group Chat' } as const;

/** The bot as the Playground presents it: `recipient.id` and the name shown in mentions. */
export const PLAYGROUND_BOT = { id: '28:dsr-bot', name: 'DSR Bot' } as const;

/** The Playground's schema wants exactly five users besides the current one. */
const OTHER_USERS = 5;

export interface PlaygroundConfigOptions {
  /** Who is "signed in": their ids become `from.id` / `from.aadObjectId` of every activity. */
  currentUser: TenantUser;
  /** The rest of the tenant; the first five that are not the current user fill the chats and the team. */
  otherUsers: TenantUser[];
  tenantId: string;
  botName?: string;
}

/** The 1:1 chat id the Playground uses for `user` (one per user, so two instances never share it). */
export function personalChatId(user: TenantUser): string {
  return `a:1on1-${user.teamsUserId}`;
}

function playgroundUser(user: TenantUser) {
  const [givenName, ...rest] = user.displayName.split(' ');
  return {
    id: user.teamsUserId,
    name: user.displayName,
    userPrincipleName: user.upn, // sic: the Playground's field name
    aadObjectId: user.aadObjectId,
    givenName,
    surname: rest.join(' ') || givenName,
    email: user.email,
  };
}

/**
 * Writes `.m365agentsplayground.yml` into `dir` for one signed-in user, with ids from the seeded
 * tenant so that what the bot receives matches what the sandbox Graph knows.
 * The file is JSON text, which YAML reads as is. Returns the file's path.
 */
export function writePlaygroundConfig(dir: string, options: PlaygroundConfigOptions): string {
  const others = options.otherUsers.filter((u) => u.aadObjectId !== options.currentUser.aadObjectId).slice(0, OTHER_USERS);
  if (others.length < OTHER_USERS) {
    throw new Error(`The Playground needs ${OTHER_USERS} users besides ${options.currentUser.displayName}; got ${others.length}.`);
  }
  const config = {
    version: '0.1.1',
    tenantId: options.tenantId,
    bot: { id: PLAYGROUND_BOT.id, name: options.botName ?? PLAYGROUND_BOT.name },
    currentUser: playgroundUser(options.currentUser),
    users: others.map(playgroundUser),
    personalChat: { id: personalChatId(options.currentUser) },
    groupChat: PLAYGROUND_GROUP_CHAT,
    team: {
      id: PLAYGROUND_TEAM.id,
      name: PLAYGROUND_TEAM.name,
      aadGroupId: PLAYGROUND_TEAM.aadGroupId,
      channels: [{ id: PLAYGROUND_TEAM.approvalsChannelId, name: PLAYGROUND_TEAM.approvalsChannelName }],
    },
  };
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, PLAYGROUND_CONFIG_FILE);
  writeFileSync(file, `# Written by src/sandbox/playground.ts for ${options.currentUser.displayName}.\n${JSON.stringify(config, null, 2)}\n`);
  return file;
}

export interface PlaygroundOptions {
  /** Folder holding `.m365agentsplayground.yml`; also the Playground's working folder. */
  dir: string;
  port: number;
  /** e.g. `http://127.0.0.1:3978/api/messages`. */
  botEndpoint: string;
  /** Where the Playground logs (everything but "Listening on"); default `<dir>/devTools/m365agentsplayground.log`. */
  logFile?: string;
  /** How long to wait for the page to answer; default 30 s. */
  timeoutMs?: number;
}

export interface RunningPlayground {
  /** The page to open in a browser. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the Agents Playground from the project's own node_modules, on `port`, talking to
 * `botEndpoint`, with no browser and no telemetry. Resolves once its page and its connector answer
 * with the config loaded; rejects (and stops it) if it exits or moves to another port, quoting the
 * tail of its log, where it writes the reason.
 */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const configFile = path.resolve(options.dir, PLAYGROUND_CONFIG_FILE);
  // Without one the Playground silently falls back to its built-in users.
  if (!existsSync(configFile)) throw new Error(`No ${configFile}: write it with writePlaygroundConfig() first.`);
  const logFile = path.resolve(options.logFile ?? path.join(options.dir, 'devTools', 'm365agentsplayground.log'));
  mkdirSync(path.dirname(logFile), { recursive: true });
  const cli = path.join(path.dirname(require.resolve('@microsoft/m365agentsplayground/package.json')), 'cli.js');
  const child = spawn(process.execPath, [cli, '--port', String(options.port), '--disable-telemetry'], {
    cwd: options.dir,
    // Own process group, so stop() also ends whatever it starts.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BOT_ENDPOINT: options.botEndpoint,
      TEAMSAPPTESTER_BROWSER: 'none',
      // Without it the telemetry library probes the network even with --disable-telemetry.
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: configFile,
      M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
    },
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${options.port}`;
  const fail = async (why: string): Promise<never> => {
    await stopGroup(child);
    throw new Error(`Agents Playground (${options.dir}) ${why}.\n--- output ---\n${output.trim()}\n--- ${logFile} ---\n${tail(logFile)}`);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) return fail(`exited (${child.exitCode ?? child.signalCode})`);
    const listening = /Listening on (\d+)/.exec(output);
    // A taken port makes it move silently to a random one.
    if (listening && Number(listening[1]) !== options.port) return fail(`found port ${options.port} taken and moved to ${listening[1]}`);
    // The config endpoint answers only once the config file has loaded; a bad one ends the process.
    if (listening && (await answers(`${url}/_internal/v1/config`)) && (await answers(`${url}/`))) break;
    if (Date.now() > deadline) return fail(`did not answer on port ${options.port} within ${options.timeoutMs ?? 30_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, port: options.port, stop: () => stopGroup(child) };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function tail(file: string, bytes = 3000): string {
  try {
    const size = statSync(file).size;
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8');
  } catch {
    return '(no log file)';
  }
}

/** Ends the child's whole process group: SIGTERM, then SIGKILL after 5 s. */
function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  return new Promise((resolve) => {
    const force = setTimeout(() => signal('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      signal('SIGKILL'); // anything it left behind in its group
      resolve();
    });
    signal('SIGTERM');
  });
}
