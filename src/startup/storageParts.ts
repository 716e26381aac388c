import { Config } from '../config';
import { Clock } from '../dsr';
import { loadAuditKey } from '../storage/auditKey';
import { BlobExportStore } from '../storage/blobExportStore';
import { ConversationStore } from '../storage/conversationStore';
import { StorageJobQueue } from '../storage/queueJobs';
import { ServiceExportContainers } from '../storage/serviceExportContainers';
import { createStorageClients, ensureStorage } from '../storage/storageClients';
import { TableAuditLog } from '../storage/tableAuditLog';
import { TableRequestStore } from '../storage/tableRequestStore';

/** How long the channels' and people's conversation references are reused between reads. */
const REFERENCE_TTL_MS = 60_000;

export type StorageParts = Awaited<ReturnType<typeof openStorage>>;

/** The bot's own state on Azure Storage: requests, audit chain, conversations, packages, the job queue. */
export async function openStorage(config: Config, clock: Clock) {
  const clients = createStorageClients(config);
  await ensureStorage(clients);
  const store = new TableRequestStore(clients.requests, clients.counters);
  // In sandbox mode the key file is made on the first start; elsewhere it comes from the setting (Key Vault in Azure).
  const auditKey = loadAuditKey(config.auditKey, { create: config.sandbox });
  const audit = new TableAuditLog(clients.audit, clock, auditKey);
  const conversations = new ConversationStore(clients.conversations, config.pseudonymKey, { ttlMs: REFERENCE_TTL_MS, clock });
  const exportsStore = new BlobExportStore(clients.exports, clock, audit, { defaultLocale: config.defaultLocale, timeZone: config.timeZone });
  const queue = new StorageJobQueue(clients.jobs);
  // One client for the service export places: the export writes there, and erasure removes what an export left behind.
  const serviceExportSpace = ServiceExportContainers.in(config.serviceExport.storageConnectionString, clients.exports, clock);
  return { clients, store, auditKey, audit, conversations, exportsStore, queue, serviceExportSpace };
}
