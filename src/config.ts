import path from 'node:path';
import { REGIMES, Regime, SERVICE_NAMES, ServiceName } from './dsr/types';

/** Well-known Azurite account key, public by design (it only opens the local emulator). */
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The connection string of a local Azurite whose blob, queue and table ports start at `blobPort`. */
export function azuriteConnectionString(host: string, blobPort: number, queuePort = blobPort + 1, tablePort = blobPort + 2): string {
  const account = 'devstoreaccount1';
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${account}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${blobPort}/${account}`,
    `QueueEndpoint=http://${host}:${queuePort}/${account}`,
    `TableEndpoint=http://${host}:${tablePort}/${account}`,
  ].join(';');
}

/** The sandbox contract of DESIGN.md: where each local stand-in listens. */
export const SANDBOX_PORTS = {
  azuriteBlob: 10000,
  graph: 4010,
  digitalTwins: 4020,
  iotCentral: 4030,
  dps: 4040,
  iotHub: 4050,
  bot: 3978,
  playground: 56150,
} as const;

export interface Config {
  /** No Azure at all: local stand-ins, a fixed token, the seeded tenant. */
  sandbox: boolean;
  host: string;
  port: number;
  /** Empty in sandbox mode: then inbound requests are not authenticated and the bot binds to loopback only. */
  botAppId: string;
  botAppPassword: string;
  botTenantId: string;
  storageConnectionString: string;
  graphUrl: string;
  approverGroupId: string;
  erasureApprovals: number;
  purgeGraceDays: number;
  exportLinkDays: number;
  defaultRegime: Regime;
  services: ServiceName[];
  dataDir: string;
  jobVisibilitySeconds: number;
  workerConcurrency: number;
  logLevel: string;
  /** Key of the pseudonyms that replace a subject's identity in the bot's own records. */
  pseudonymKey: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The bot cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Every setting from the environment, validated once. Errors name the setting and the fix.
 * In sandbox mode (no MicrosoftAppId) every Azure endpoint defaults to its local stand-in.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, approverGroupFallback = ''): Config {
  const problems: string[] = [];
  const text = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const whole = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got '${raw}').`);
      return fallback;
    }
    return value;
  };

  const botAppId = text('MicrosoftAppId', '');
  const sandboxSetting = env.DSR_SANDBOX?.trim().toLowerCase();
  if (sandboxSetting && !['on', 'off'].includes(sandboxSetting)) problems.push(`DSR_SANDBOX must be on or off (got '${env.DSR_SANDBOX}').`);
  const sandbox = sandboxSetting ? sandboxSetting === 'on' : !botAppId;
  const host = text('DSR_HOST', '127.0.0.1');
  if (!botAppId && !LOOPBACK.has(host)) {
    problems.push(`DSR_HOST is '${host}' but MicrosoftAppId is not set: without an app id nobody is authenticated, so the bot only listens on loopback. Set MicrosoftAppId (and MicrosoftAppPassword) or DSR_HOST=127.0.0.1.`);
  }
  const storageConnectionString = text(
    'DSR_STORAGE_CONNECTION_STRING',
    sandbox ? azuriteConnectionString('127.0.0.1', SANDBOX_PORTS.azuriteBlob) : '',
  );
  if (!storageConnectionString) problems.push('DSR_STORAGE_CONNECTION_STRING is required outside sandbox mode: the Storage account that holds requests, jobs and exports.');
  const approverGroupId = text('DSR_APPROVER_GROUP_ID', sandbox ? approverGroupFallback : '');
  if (!approverGroupId) problems.push('DSR_APPROVER_GROUP_ID is required: the object id of the Entra group whose members may decide requests.');

  const pseudonymKey = text('DSR_PSEUDONYM_KEY', sandbox ? 'sandbox-only-pseudonym-key' : '');
  if (pseudonymKey.length < 16) problems.push('DSR_PSEUDONYM_KEY must be a secret of at least 16 characters: it keys the pseudonyms of erased subjects.');

  const regime = text('DSR_DEFAULT_REGIME', 'GDPR').toUpperCase();
  if (!(REGIMES as readonly string[]).includes(regime)) problems.push(`DSR_DEFAULT_REGIME must be GDPR or CCPA (got '${regime}').`);

  const services = text('DSR_SERVICES', 'entra,botStore')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = services.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length) problems.push(`DSR_SERVICES names unknown services: ${unknown.join(', ')}. Known: ${SERVICE_NAMES.join(', ')}.`);

  const config: Config = {
    sandbox,
    host,
    port: whole('PORT', SANDBOX_PORTS.bot, 0, 65535),
    botAppId,
    botAppPassword: text('MicrosoftAppPassword', ''),
    botTenantId: text('MicrosoftAppTenantId', ''),
    storageConnectionString,
    graphUrl: text('DSR_GRAPH_URL', sandbox ? `https://127.0.0.1:${SANDBOX_PORTS.graph}` : 'https://graph.microsoft.com'),
    approverGroupId,
    erasureApprovals: whole('DSR_ERASE_APPROVALS', 2, 1, 5),
    purgeGraceDays: whole('DSR_PURGE_GRACE_DAYS', 14, 0, 30),
    exportLinkDays: whole('DSR_EXPORT_LINK_DAYS', 7, 1, 30),
    defaultRegime: regime as Regime,
    services: services as ServiceName[],
    dataDir: path.resolve(text('DSR_DATA_DIR', '.data')),
    jobVisibilitySeconds: whole('DSR_JOB_VISIBILITY_SECONDS', 300, 1, 7 * 24 * 3600),
    workerConcurrency: whole('DSR_WORKER_CONCURRENCY', 4, 1, 64),
    logLevel: text('DSR_LOG_LEVEL', 'info'),
    pseudonymKey,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
