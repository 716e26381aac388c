import type { TokenCredential } from '@azure/core-auth';
import type { Client as GraphClient } from '@microsoft/microsoft-graph-client';
import { Config } from '../config';
import { OwnTraces, RequestStore, ServiceAdapter, ServiceName } from '../dsr';
import { BotStoreAdapter } from './botStore/botStoreAdapter';
import { CallPolicy, DEFAULT_CALL_POLICY } from './calls/callPolicy';
import { DigitalTwinsAdapter } from './digitalTwins/digitalTwinsAdapter';
import { DpsAdapter } from './dps/dpsAdapter';
import { EntraAdapter } from './entra/entraAdapter';
import { IotCentralAdapter } from './iotCentral/iotCentralAdapter';
import { IotHubAdapter } from './iotHub/iotHubAdapter';
import { RoleAssignmentsAdapter } from './roleAssignments/roleAssignmentsAdapter';
import { SystemLogsAdapter } from './systemLogs/systemLogsAdapter';
import { ThrottleBudgets } from './calls/throttleBudget';
import { createThrottledGraphClient } from './calls/throttledGraphClient';

/** The adapter of every service `config.services` names, built from its settings. */
export function createServiceAdapters(
  config: Config,
  deps: { credential: TokenCredential; graph: GraphClient; store: RequestStore; ownTraces: OwnTraces },
): Map<ServiceName, ServiceAdapter> {
  const { credential } = deps;
  // One budget per service for the whole process: every adapter's calls to a service spend it.
  const budgets = new ThrottleBudgets(config.throttle);
  const policy: CallPolicy = { ...DEFAULT_CALL_POLICY, ...config.callPolicy, budgets };
  const uses = (service: ServiceName) => config.services.includes(service);
  const dps = uses('dps')
    ? new DpsAdapter({
      endpoint: config.dps.url,
      ...(config.dps.sasToken ? { sasToken: config.dps.sasToken } : { credential }),
      ownerTag: config.dps.ownerTag,
      // The IoT Hub step covers its own hub's devices; DPS asks an approver for any other hub.
      coveredHubs: uses('iotHub') ? [config.iotHub.hostName] : [],
      sharedListingMs: config.readSharing.sharedListingMs,
      policy,
    })
    : undefined;
  const builders: Record<ServiceName, () => ServiceAdapter> = {
    // Graph's own client, whose middleware spends the budget (the adapter does not use the ServiceCaller).
    entra: () => new EntraAdapter(
      budgets.for('entra') ? createThrottledGraphClient(config.graphUrl, credential, budgets.for('entra')) : deps.graph,
      { signInActivity: config.entraSignInActivity, purgeGraceDays: config.purgeGraceDays, coalesceWindowMs: config.readSharing.coalesceWindowMs },
    ),
    digitalTwins: () => new DigitalTwinsAdapter({
      endpoint: config.digitalTwins.url,
      credential,
      pseudonymKey: config.pseudonymKey,
      link: { property: config.digitalTwins.linkProperty, holds: config.digitalTwins.linkHolds, relationship: config.digitalTwins.linkRelationship },
      policy,
      coalesceWindowMs: config.readSharing.coalesceWindowMs,
    }),
    iotCentral: () => new IotCentralAdapter({
      endpoint: config.iotCentral.url,
      ...(config.iotCentral.apiToken ? { apiToken: config.iotCentral.apiToken } : { credential }),
      deviceOwnerProperty: config.iotCentral.deviceOwnerProperty,
      deleteLinkedDevices: config.iotCentral.deleteLinkedDevices,
      sharedListingMs: config.readSharing.sharedListingMs,
      policy,
    }),
    dps: () => dps!,
    iotHub: () => new IotHubAdapter({
      hostName: config.iotHub.hostName,
      endpoint: config.iotHub.endpoint,
      ...(config.iotHub.connectionString ? { connectionString: config.iotHub.connectionString } : { credential }),
      ownerTag: config.iotHub.ownerTag,
      eraseMode: config.iotHub.eraseMode,
      ...(dps ? { dpsDevices: (subject, context, reading) => dps.registeredDevices(subject, context, reading) } : {}),
      coalesceWindowMs: config.readSharing.coalesceWindowMs,
      policy,
    }),
    botStore: () => new BotStoreAdapter(deps.store, deps.ownTraces, config.pseudonymKey),
    roleAssignments: () => new RoleAssignmentsAdapter({
      endpoint: config.roleAssignments.url,
      credential,
      subscriptionId: config.roleAssignments.subscriptionId,
      scopes: config.roleAssignments.scopes,
      botPrincipalId: config.roleAssignments.botPrincipalId,
      policy,
    }),
    systemLogs: () => new SystemLogsAdapter(deps.graph, config.graphUrl),
  };
  return new Map(config.services.map((service) => [service, builders[service]()]));
}
