import type { JsonStateStore, Route, SandboxRequest } from '../common';
import type { IotCentralDevice, IotCentralState } from './iotCentralState';
import { badRequest, notFound } from './iotCentralErrors';
import { pageOf } from './paging';
import { mergeProperties, propertyPatchOf } from './propertyPatch';

const DEFAULT_DEVICE_PAGE_SIZE = 25;
const MAX_TOP = 1000;

/**
 * `/api/devices`: list (paged by `nextLink`, `$top` sets the page size), get, the property
 * values under `/properties` (read, and merge-patched), and delete. A device has no owner field; a link to a person
 * is whatever custom property the app's templates define, served only under `/properties`.
 */
export function deviceRoutes(store: JsonStateStore<IotCentralState>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/devices',
      handler: (request) => {
        const page = pageOf(request, store.current.devices, pageSize(request));
        return { status: 200, body: { ...page, value: page.value.map(deviceBody) } };
      },
    },
    {
      method: 'GET',
      pattern: '/api/devices/{deviceId}',
      handler: ({ params }) => ({ status: 200, body: deviceBody(findDevice(store, params.deviceId)) }),
    },
    {
      method: 'GET',
      pattern: '/api/devices/{deviceId}/properties',
      handler: ({ params }) => ({ status: 200, body: findDevice(store, params.deviceId).properties }),
    },
    {
      // Devices_UpdateProperties: merges the patch (see mergeProperties) and answers 202 with
      // the device's property values after it, the spec's DeviceProperties.
      method: 'PATCH',
      pattern: '/api/devices/{deviceId}/properties',
      handler: async (request) => {
        const patch = propertyPatchOf(request);
        const properties = await store.update((state) => {
          const device = state.devices.find((candidate) => candidate.id === request.params.deviceId);
          if (!device) throw notFound('device', request.params.deviceId);
          device.properties = mergeProperties(device.properties, patch);
          return device.properties;
        });
        return { status: 202, body: properties };
      },
    },
    {
      method: 'DELETE',
      pattern: '/api/devices/{deviceId}',
      handler: async ({ params }) => {
        await store.update((state) => {
          const index = state.devices.findIndex((device) => device.id === params.deviceId);
          if (index < 0) throw notFound('device', params.deviceId);
          state.devices.splice(index, 1);
        });
        return { status: 204 };
      },
    },
  ];
}

function findDevice(store: JsonStateStore<IotCentralState>, deviceId: string): IotCentralDevice {
  const device = store.current.devices.find((candidate) => candidate.id === deviceId);
  if (!device) throw notFound('device', deviceId);
  return device;
}

/** The spec's `Device`: everything but the property values. */
function deviceBody({ properties: _properties, ...device }: IotCentralDevice): Omit<IotCentralDevice, 'properties'> {
  return device;
}

/**
 * `$top` as the page size. The service also takes `$filter` and `$orderby` on device fields;
 * the sandbox does not evaluate them and says so rather than answer an unfiltered list.
 */
function pageSize(request: SandboxRequest): number {
  for (const option of ['$filter', '$orderby']) {
    if (request.query.has(option)) throw badRequest(`The sandbox does not support ${option} on devices.`);
  }
  const top = request.query.get('$top');
  if (top === null) return DEFAULT_DEVICE_PAGE_SIZE;
  const value = Number(top);
  if (!/^\d+$/.test(top) || value < 1 || value > MAX_TOP) {
    throw badRequest(`$top must be an integer from 1 to ${MAX_TOP}.`);
  }
  return value;
}
