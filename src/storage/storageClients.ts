import { TokenCredential } from '@azure/core-auth';
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { Config, StorageAccountEndpoints } from '../config';

/** Names of everything the bot keeps in its Storage account. */
export const STORAGE_NAMES = {
  requestsTable: 'dsrrequests',
  countersTable: 'dsrcounters',
  auditTable: 'dsraudit',
  conversationsTable: 'dsrconversations',
  jobsQueue: 'dsr-jobs',
  exportsContainer: 'exports',
  /** Audit digests, create-only; in Azure under a locked immutability policy (infra/azure.bicep). */
  digestsContainer: 'audit-digests',
} as const;

export interface StorageClients {
  requests: TableClient;
  counters: TableClient;
  audit: TableClient;
  conversations: TableClient;
  jobs: QueueClient;
  exports: ContainerClient;
  digests: ContainerClient;
}

/** Clients for one Storage account from its connection string (Azurite locally). */
export function storageClientsFromConnectionString(connectionString: string): StorageClients {
  // Azurite speaks plain http on loopback; the SDKs refuse that unless told.
  const tableOptions = { allowInsecureConnection: connectionString.includes('http://') };
  const table = (name: string) => TableClient.fromConnectionString(connectionString, name, tableOptions);
  return {
    requests: table(STORAGE_NAMES.requestsTable),
    counters: table(STORAGE_NAMES.countersTable),
    audit: table(STORAGE_NAMES.auditTable),
    conversations: table(STORAGE_NAMES.conversationsTable),
    jobs: new QueueClient(connectionString, STORAGE_NAMES.jobsQueue),
    exports: BlobServiceClient.fromConnectionString(connectionString).getContainerClient(STORAGE_NAMES.exportsContainer),
    digests: BlobServiceClient.fromConnectionString(connectionString).getContainerClient(STORAGE_NAMES.digestsContainer),
  };
}

/**
 * Clients for one Storage account from its endpoints, signed in with Entra tokens: in Azure the
 * managed identity, which holds the Storage Table, Queue and Blob Data Contributor roles (infra/).
 * The account refuses shared keys, so export links are user-delegation SAS (blobExportStore.ts).
 */
export function storageClientsFromEndpoints(endpoints: StorageAccountEndpoints, credential: TokenCredential): StorageClients {
  const table = (name: string) => new TableClient(endpoints.tableUrl, name, credential);
  const blobs = new BlobServiceClient(endpoints.blobUrl, credential);
  return {
    requests: table(STORAGE_NAMES.requestsTable),
    counters: table(STORAGE_NAMES.countersTable),
    audit: table(STORAGE_NAMES.auditTable),
    conversations: table(STORAGE_NAMES.conversationsTable),
    jobs: new QueueServiceClient(endpoints.queueUrl, credential).getQueueClient(STORAGE_NAMES.jobsQueue),
    exports: blobs.getContainerClient(STORAGE_NAMES.exportsContainer),
    digests: blobs.getContainerClient(STORAGE_NAMES.digestsContainer),
  };
}

/**
 * The clients `config` names: the account's endpoints with `DefaultAzureCredential` (the
 * user-assigned identity of AZURE_CLIENT_ID in App Service), or else the connection string
 * (Azurite in sandbox mode). `credential` replaces DefaultAzureCredential in tests.
 */
export function createStorageClients(
  config: Pick<Config, 'storageConnectionString' | 'storageAccount' | 'managedIdentityClientId'>,
  credential?: TokenCredential,
): StorageClients {
  if (!config.storageAccount) return storageClientsFromConnectionString(config.storageConnectionString);
  const signIn = credential ?? new DefaultAzureCredential(config.managedIdentityClientId ? { managedIdentityClientId: config.managedIdentityClientId } : {});
  return storageClientsFromEndpoints(config.storageAccount, signIn);
}

/** Creates the tables, queue and container where missing; safe to call on every start. */
export async function ensureStorage(clients: StorageClients): Promise<void> {
  await Promise.all([
    clients.requests.createTable(),
    clients.counters.createTable(),
    clients.audit.createTable(),
    clients.conversations.createTable(),
    clients.jobs.createIfNotExists(),
    clients.exports.createIfNotExists(),
    clients.digests.createIfNotExists(),
  ]);
}

/** Whether the account answers, for /readyz. */
export async function storageAnswers(clients: StorageClients, signal: AbortSignal): Promise<boolean> {
  try {
    await Promise.all([clients.jobs.getProperties({ abortSignal: signal }), clients.exports.getProperties({ abortSignal: signal })]);
    return true;
  } catch {
    return false;
  }
}

