import { twinEtag, type DeviceRecord, type JsonObject } from './iotHubState';

/**
 * A device identity as `GET /devices/{id}` answers it, credentials included (the registry's
 * readers are trusted with them). Fields IoT Hub sends as `null` (an unset `statusReason`, the
 * thumbprints of a SAS device) are left out: the spec types them as plain strings.
 */
export function renderDevice(device: DeviceRecord): JsonObject {
  return {
    deviceId: device.deviceId,
    generationId: device.generationId,
    etag: device.etag,
    connectionState: device.connectionState,
    status: device.status,
    ...(device.statusReason !== undefined && { statusReason: device.statusReason }),
    connectionStateUpdatedTime: device.connectionStateUpdatedTime,
    statusUpdatedTime: device.statusUpdatedTime,
    lastActivityTime: device.lastActivityTime,
    cloudToDeviceMessageCount: device.cloudToDeviceMessageCount,
    authentication: structuredClone(device.authentication),
    capabilities: { iotEdge: device.iotEdge },
  };
}

/**
 * A device twin as `GET /twins/{id}` and the query answer it: the identity's summary fields, tags
 * (left out while there are none, as IoT Hub does) and both property sets with `$metadata` and
 * `$version`.
 */
export function renderTwin(device: DeviceRecord): JsonObject {
  const { twin } = device;
  return {
    deviceId: device.deviceId,
    etag: twinEtag(twin),
    deviceEtag: device.etag,
    status: device.status,
    ...(device.statusReason !== undefined && { statusReason: device.statusReason }),
    statusUpdateTime: device.statusUpdatedTime,
    connectionState: device.connectionState,
    lastActivityTime: device.lastActivityTime,
    cloudToDeviceMessageCount: device.cloudToDeviceMessageCount,
    authenticationType: device.authentication.type,
    ...(device.authentication.x509Thumbprint && { x509Thumbprint: structuredClone(device.authentication.x509Thumbprint) }),
    modelId: '',
    version: twin.version,
    ...(Object.keys(twin.tags).length > 0 && { tags: structuredClone(twin.tags) }),
    properties: {
      desired: {
        ...structuredClone(twin.desired),
        $metadata: { $lastUpdated: twin.desiredUpdated, $lastUpdatedVersion: twin.desiredVersion },
        $version: twin.desiredVersion,
      },
      reported: {
        ...structuredClone(twin.reported),
        $metadata: { $lastUpdated: twin.reportedUpdated },
        $version: twin.reportedVersion,
      },
    },
    capabilities: { iotEdge: device.iotEdge },
  };
}
