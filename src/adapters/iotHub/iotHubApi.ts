import type { AdapterCallContext } from '../../dsr';
import type { ServiceCaller } from '../calls/callPolicy';
import { PageGuard } from '../calls/pageGuard';
import { untilAborted } from '../calls/untilAborted';
import { deleteDeviceIfMatch, type RegistryClient } from './registryClient';

/** A device twin as IoT Hub returns it (the fields the adapter reads, and everything else as is). */
export interface TwinJson {
  deviceId: string;
  etag?: string;
  deviceEtag?: string;
  tags?: Record<string, unknown>;
  properties?: { desired?: Record<string, unknown>; reported?: Record<string, unknown> };
  [field: string]: unknown;
}

/** A device identity as IoT Hub returns it. */
export interface DeviceJson {
  deviceId: string;
  etag?: string;
  [field: string]: unknown;
}

/**
 * The IoT Hub calls the adapter makes, each one HTTP request through the ServiceCaller (time-out,
 * retries, concurrency). azure-iothub's registry has no retries of its own for these calls and
 * takes no AbortSignal: a try that times out is abandoned (its answer ignored), not cancelled.
 */
export class IotHubApi {
  constructor(private readonly client: RegistryClient, private readonly caller: ServiceCaller) {}

  /** Runs a twin query page by page (`x-ms-continuation`), yielding each page's twins. */
  async *queryTwins(sql: string, pageSize: number, context: AdapterCallContext): AsyncGenerator<TwinJson[]> {
    const query = this.client.registry.createQuery(sql, pageSize);
    const guard = new PageGuard('iotHub', 'the device twin query');
    let token: string | undefined;
    do {
      const continuation = token;
      // The token is passed explicitly so that a retried or abandoned try cannot move the cursor.
      const page = await this.call('query device twins', () => (continuation ? query.next(continuation) : query.next()), context);
      const next = page.message.headers['x-ms-continuation'];
      token = guard.follow(typeof next === 'string' ? next : undefined);
      yield (Array.isArray(page.result) ? page.result : []) as TwinJson[];
    } while (token);
  }

  async getTwin(deviceId: string, context: AdapterCallContext): Promise<TwinJson> {
    const { responseBody } = await this.call('read a device twin', () => this.client.registry.getTwin(deviceId), context);
    // The SDK's Twin holds a reference to the registry; its toJSON leaves that out.
    return JSON.parse(JSON.stringify(responseBody)) as TwinJson;
  }

  async getDevice(deviceId: string, context: AdapterCallContext): Promise<DeviceJson> {
    const { responseBody } = await this.call('read a device identity', () => this.client.registry.get(deviceId), context);
    return JSON.parse(JSON.stringify(responseBody)) as DeviceJson;
  }

  /** `PATCH /twins/{id}` with `If-Match: "<etag>"`; null values remove keys. */
  async patchTwin(deviceId: string, patch: Record<string, unknown>, etag: string, context: AdapterCallContext): Promise<void> {
    await this.call('update a device twin', () => this.client.registry.updateTwin(deviceId, patch, etag), context);
  }

  /** `DELETE /devices/{id}` with `If-Match: "<etag>"`: the identity and its twin go together. */
  async deleteDevice(deviceId: string, etag: string, context: AdapterCallContext): Promise<void> {
    await this.call('delete a device identity', () => deleteDeviceIfMatch(this.client.rest, deviceId, etag), context);
  }

  private call<T>(operation: string, start: () => Promise<T>, context: AdapterCallContext): Promise<T> {
    return this.caller.call(operation, (signal) => untilAborted(start, signal), context);
  }
}
