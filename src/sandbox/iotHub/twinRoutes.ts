import type { JsonStateStore, Route } from '../common';
import { deviceNotFound } from './iotHubErrors';
import { findDevice, twinEtag, type IotHubState } from './iotHubState';
import { renderTwin } from './projection';
import { checkIfMatch, etagHeader, readIfMatch, requireApiVersion } from './requestChecks';
import { applyTwinPatch, parseTwinPatch } from './twinPatch';

/** Device twins: `GET|PATCH /twins/{id}`. */
export function twinRoutes(store: JsonStateStore<IotHubState>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/twins/{id}',
      handler: ({ params, query }) => {
        requireApiVersion(query);
        const device = findDevice(store.current, params.id);
        if (!device) throw deviceNotFound(params.id);
        return { status: 200, body: renderTwin(device), headers: etagHeader(twinEtag(device.twin)) };
      },
    },
    {
      method: 'PATCH',
      pattern: '/twins/{id}',
      handler: async ({ params, query, headers, body }) => {
        requireApiVersion(query);
        const patch = parseTwinPatch(body);
        const ifMatch = readIfMatch(headers);
        const updated = await store.update((state) => {
          const device = findDevice(state, params.id);
          if (!device) throw deviceNotFound(params.id);
          checkIfMatch(ifMatch, twinEtag(device.twin), 'Twin');
          applyTwinPatch(device.twin, patch, new Date());
          return device;
        });
        return { status: 200, body: renderTwin(updated), headers: etagHeader(twinEtag(updated.twin)) };
      },
    },
  ];
}
