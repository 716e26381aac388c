import type { JsonStateStore, Route } from '../common';
import { deviceAlreadyExists, deviceNotFound, preconditionFailed } from './iotHubErrors';
import { checkDeviceId, parseDeviceIdentity } from './deviceIdentityInput';
import { findDevice, newDeviceEtag, newDeviceRecord, type IotHubState } from './iotHubState';
import { renderDevice } from './projection';
import { checkIfMatch, etagHeader, readIfMatch, requireApiVersion } from './requestChecks';

/** The identity registry: `GET|PUT|DELETE /devices/{id}`. */
export function deviceRoutes(store: JsonStateStore<IotHubState>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/devices/{id}',
      handler: ({ params, query }) => {
        requireApiVersion(query);
        const device = findDevice(store.current, params.id);
        if (!device) throw deviceNotFound(params.id);
        return { status: 200, body: renderDevice(device), headers: etagHeader(device.etag) };
      },
    },
    {
      method: 'PUT',
      pattern: '/devices/{id}',
      handler: async ({ params, query, headers, body }) => {
        requireApiVersion(query);
        checkDeviceId(params.id);
        const input = parseDeviceIdentity(body, params.id);
        const ifMatch = readIfMatch(headers);
        const saved = await store.update((state) => {
          const existing = findDevice(state, params.id);
          if (!existing) {
            // Updating a named version of a device that does not exist cannot succeed.
            if (ifMatch.kind === 'etag') throw preconditionFailed('Device');
            const created = newDeviceRecord({ deviceId: params.id }, new Date());
            Object.assign(created, { status: input.status, statusReason: input.statusReason, authentication: input.authentication, iotEdge: input.iotEdge });
            state.devices.push(created);
            return created;
          }
          // Without If-Match a PUT only creates; replacing needs `*` or the current etag.
          if (ifMatch.kind === 'absent') throw deviceAlreadyExists(params.id);
          checkIfMatch(ifMatch, existing.etag, 'Device');
          if (existing.status !== input.status) existing.statusUpdatedTime = new Date().toISOString();
          Object.assign(existing, { status: input.status, statusReason: input.statusReason, authentication: input.authentication, iotEdge: input.iotEdge });
          existing.etag = newDeviceEtag();
          return existing;
        });
        return { status: 200, body: renderDevice(saved), headers: etagHeader(saved.etag) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/devices/{id}',
      handler: async ({ params, query, headers }) => {
        requireApiVersion(query);
        const ifMatch = readIfMatch(headers);
        await store.update((state) => {
          const device = findDevice(state, params.id);
          if (!device) throw deviceNotFound(params.id);
          checkIfMatch(ifMatch, device.etag, 'Device');
          state.devices = state.devices.filter((candidate) => candidate !== device);
        });
        return { status: 204 };
      },
    },
  ];
}
