import { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { createGraphClient } from '../adapters/calls/graphClient';
import { EntraDirectory } from '../adapters/entra/entraDirectory';
import { createServiceAdapters } from '../adapters/serviceAdapters';
import { Config } from '../config';
import { SandboxCredential } from '../sandbox/sandboxCredential';
import { StorageOwnTraces } from '../storage/ownTraces';
import { StorageParts } from './storageParts';

/** The services the bot reaches with its identity: the directory, and one adapter per configured service. */
export function connectServices(config: Config, storage: StorageParts) {
  const credential: TokenCredential = config.sandbox ? new SandboxCredential() : new DefaultAzureCredential();
  const graph = createGraphClient(config.graphUrl, credential);
  // The directory answers clicks and messages: its reads share a batch only when asked in the same
  // tick (window 0), so a person clicking alone never waits for company.
  const directory = new EntraDirectory(graph, config.approverGroupId, config.approverPersonKey, 0);
  const ownTraces = new StorageOwnTraces(storage.conversations, storage.clients.exports, storage.serviceExportSpace);
  const adapters = createServiceAdapters(config, { credential, graph, store: storage.store, ownTraces });
  return { directory, adapters };
}

/** The sandbox health endpoints /readyz waits for: Graph and every service requests reach. */
export function sandboxHealthUrls(config: Config): Record<string, string> {
  if (!config.sandbox) return {};
  const urls: Record<string, string> = {
    graph: config.graphUrl,
    digitalTwins: config.digitalTwins.url,
    iotCentral: config.iotCentral.url,
    dps: config.dps.url,
    iotHub: `https://${config.iotHub.endpoint}`,
    roleAssignments: config.roleAssignments.url,
  };
  return Object.fromEntries(
    Object.entries(urls)
      .filter(([name]) => name === 'graph' || (config.services as string[]).includes(name))
      .map(([name, url]) => [name, `${url}/_sandbox/health`]),
  );
}
