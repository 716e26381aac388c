import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';

/** Names of everything the bot keeps in its Storage account. */
export const STORAGE_NAMES = {
  requestsTable: 'dsrrequests',
  countersTable: 'dsrcounters',
  auditTable: 'dsraudit',
  conversationsTable: 'dsrconversations',
  jobsQueue: 'dsr-jobs',
  exportsContainer: 'exports',
} as const;

export interface StorageClients {
  requests: TableClient;
  counters: TableClient;
  audit: TableClient;
  conversations: TableClient;
  jobs: QueueClient;
  exports: ContainerClient;
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
  };
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

