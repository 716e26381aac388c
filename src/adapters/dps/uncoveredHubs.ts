import type { HubDevices, ManualStepSpec, RequestKind } from '../../dsr';

/** A device DPS provisioned for the subject: where its identity lives in IoT Hub. */
export interface ProvisionedDevice {
  registrationId: string;
  deviceId: string;
  assignedHub: string;
}

/**
 * How many of the devices sit in each IoT hub that the IoT Hub step does not reach. Hub host
 * names are not personal; device ids may be, so only counts leave this function.
 */
export function devicesOutsideCoveredHubs(devices: readonly ProvisionedDevice[], coveredHubs: readonly string[]): Map<string, number> {
  const covered = new Set(coveredHubs.map((hub) => hub.toLowerCase()));
  const counts = new Map<string, number>();
  for (const { assignedHub } of devices) {
    const hub = assignedHub.toLowerCase();
    if (!covered.has(hub)) counts.set(hub, (counts.get(hub) ?? 0) + 1);
  }
  return counts;
}

/**
 * One manual step per uncovered hub, for the kinds that remove or restrict data. DPS copies an
 * enrollment's initial twin tags into the device twin when it provisions the device, so the
 * hub's own query finds the devices by the same owner tag, after the DPS records are gone too.
 */
export function uncoveredHubSteps(counts: ReadonlyMap<string, number>, kind: RequestKind | undefined, ownerTag: string): ManualStepSpec[] {
  if (kind !== 'erase' && kind !== 'restrict') return [];
  return [...counts].map(([hub, devices]) => ({ key: `dps.uncoveredHub.${hub}`, task: { code: 'dps.uncoveredHub', kind, hub, devices, ownerTag } }));
}

/** What is left in uncovered hubs, for a step summary; empty when nothing is. */
export function uncoveredHubs(counts: ReadonlyMap<string, number>): HubDevices[] {
  return [...counts].map(([hub, devices]) => ({ hub, devices }));
}
