import type { Config } from './config';
import { SANDBOX_PORTS, azuriteConnectionString } from './sandboxDefaults';
import { GUID, type SettingReader } from './settingReader';

/**
 * A Storage account reached with Entra tokens (the managed identity) instead of a connection
 * string: its three service endpoints, without a trailing slash.
 */
export interface StorageAccountEndpoints {
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
}

/** `Endpoint=http://` or `DefaultEndpointsProtocol=http` in a storage connection string: requests (and the data) in clear. */
export const PLAIN_HTTP_STORAGE = /(^|;)\s*(DefaultEndpointsProtocol\s*=\s*http\s*(;|$)|\w*Endpoint\s*=\s*http:)/i;

const STORAGE_URL_SETTINGS = { blob: 'DSR_STORAGE_BLOB_URL', queue: 'DSR_STORAGE_QUEUE_URL', table: 'DSR_STORAGE_TABLE_URL' } as const;

/**
 * The account name an endpoint names, or why it cannot serve as one: https (tokens are never sent
 * over plain http), no SAS token or other query, and the account itself, not a container in it.
 * Azure names the account in the host (`dsr.blob.core.windows.net`); an emulator on an IP address
 * or localhost in the path (`https://127.0.0.1:10000/devstoreaccount1`).
 */
function storageEndpointAccount(value: string): { account: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:') return { problem: 'must be an https URL: the managed identity\'s tokens are only sent over https' };
  if (url.search || url.hash || url.username || url.password) return { problem: 'must be the bare endpoint, without a SAS token or credentials: the bot signs in with its managed identity' };
  const segments = url.pathname.split('/').filter(Boolean);
  const pathStyle = /^\d+\.\d+\.\d+\.\d+$|^\[.*\]$|^localhost$/.test(url.hostname);
  if (pathStyle ? segments.length !== 1 : segments.length !== 0) return { problem: 'must be the account\'s endpoint, not a container, queue or table in it' };
  return { account: pathStyle ? segments[0] : url.hostname.split('.')[0] };
}

/** The account's three endpoints when any is set, each checked; undefined when none is. */
function storageAccountSettings({ text, problems }: SettingReader): StorageAccountEndpoints | undefined {
  const given = (Object.entries(STORAGE_URL_SETTINGS) as [keyof typeof STORAGE_URL_SETTINGS, string][]).map(([service, name]) => ({ service, name, value: text(name, '') }));
  if (given.every((g) => !g.value)) return undefined;
  const accounts = new Map<string, string>();
  for (const { service, name, value } of given) {
    const example = `https://<account>.${service}.core.windows.net`;
    if (!value) {
      problems.push(`${name} is required with the other DSR_STORAGE_*_URL settings: the account's ${service} endpoint, ${example}.`);
      continue;
    }
    const checked = storageEndpointAccount(value);
    if ('problem' in checked) problems.push(`${name} ${checked.problem}. Use the account's ${service} endpoint, ${example}.`);
    else accounts.set(name, checked.account);
  }
  if (new Set(accounts.values()).size > 1) {
    problems.push('DSR_STORAGE_BLOB_URL, DSR_STORAGE_QUEUE_URL and DSR_STORAGE_TABLE_URL name different accounts: give the three endpoints of one account.');
  }
  const url = (service: keyof typeof STORAGE_URL_SETTINGS) => given.find((g) => g.service === service)!.value.replace(/\/+$/, '');
  return { blobUrl: url('blob'), queueUrl: url('queue'), tableUrl: url('table') };
}

/**
 * The bot's Storage account: a connection string (Azurite in sandbox mode), or the account's
 * endpoints reached with the managed identity that AZURE_CLIENT_ID names.
 */
export function storageSettings(read: SettingReader, sandbox: boolean): Pick<Config, 'storageConnectionString' | 'storageAccount' | 'managedIdentityClientId'> {
  const { text, problems } = read;
  const storageAccount = storageAccountSettings(read);
  const givenConnectionString = text('DSR_STORAGE_CONNECTION_STRING', '');
  if (storageAccount && givenConnectionString) {
    problems.push('DSR_STORAGE_CONNECTION_STRING and the DSR_STORAGE_*_URL settings are both set: set the URLs (managed identity, no account keys) or the connection string, not both.');
  }
  const storageConnectionString = storageAccount ? '' : givenConnectionString || (sandbox ? azuriteConnectionString('127.0.0.1', SANDBOX_PORTS.azuriteBlob) : '');
  if (!storageAccount && !storageConnectionString) {
    problems.push('DSR_STORAGE_CONNECTION_STRING (or DSR_STORAGE_BLOB_URL, DSR_STORAGE_QUEUE_URL and DSR_STORAGE_TABLE_URL, reached with the managed identity) is required outside sandbox mode: the Storage account that holds requests, jobs and exports.');
  }
  if (!sandbox && PLAIN_HTTP_STORAGE.test(givenConnectionString)) {
    problems.push('DSR_STORAGE_CONNECTION_STRING names plain http endpoints: outside sandbox mode the Storage account is reached over https only (DefaultEndpointsProtocol=https).');
  }
  const managedIdentityClientId = read.optional('AZURE_CLIENT_ID');
  if (managedIdentityClientId && !GUID.test(managedIdentityClientId)) {
    problems.push(`AZURE_CLIENT_ID must be the client id (a GUID) of the user-assigned managed identity. Leave it unset to use the system-assigned identity.`);
  }
  return {
    storageConnectionString,
    ...(storageAccount ? { storageAccount } : {}),
    ...(managedIdentityClientId ? { managedIdentityClientId } : {}),
  };
}
