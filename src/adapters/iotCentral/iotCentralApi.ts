import type { Client, PathUncheckedResponse } from '@azure-rest/core-client';
import { type AdapterCallContext, ServiceError } from '../../dsr';
import type { ServiceCaller } from '../calls/callPolicy';
import { PageGuard } from '../calls/pageGuard';
import { expectOk, sameOriginLink, statusOf } from '../calls/restClient';

/** The data-plane version the adapter speaks. */
export const IOT_CENTRAL_API_VERSION = '2022-07-31';

/** Token scope of every IoT Central application. */
export const IOT_CENTRAL_SCOPE = 'https://apps.azureiotcentral.com/.default';

/** An app user as the API returns it (the spec's `User` and its three types). */
export interface ApiUser {
  id: string;
  type: string;
  email?: string;
  objectId?: string;
  tenantId?: string;
  roles?: { role: string; organization?: string }[];
}

export interface ApiRole {
  id: string;
  displayName?: string;
}

export interface ApiDevice {
  id: string;
  etag?: string;
  displayName?: string;
  template?: string;
  enabled?: boolean;
  provisioned?: boolean;
  simulated?: boolean;
  organizations?: string[];
}

/** Devices listed per request; the list has no owner filter, so bigger pages mean fewer calls. */
const DEVICE_PAGE_SIZE = 100;

/**
 * The few IoT Central REST operations the adapter needs, each one call through the
 * ServiceCaller (its retries, time-outs and concurrency limit). Operation names are plain
 * words without ids, since they end up in error messages.
 */
export class IotCentralApi {
  constructor(
    private readonly client: Client,
    private readonly endpoint: string,
    private readonly caller: ServiceCaller,
  ) {}

  /** Every app user, page by page (the API has no filter). */
  users(context: AdapterCallContext): AsyncIterable<ApiUser[]> {
    return this.pages<ApiUser>('/api/users', 'listing app users', context);
  }

  /** Every role, page by page. */
  roles(context: AdapterCallContext): AsyncIterable<ApiRole[]> {
    return this.pages<ApiRole>('/api/roles', 'listing roles', context);
  }

  /** Every device, page by page. */
  devices(context: AdapterCallContext): AsyncIterable<ApiDevice[]> {
    return this.pages<ApiDevice>('/api/devices', 'listing devices', context, { $top: DEVICE_PAGE_SIZE });
  }

  /** A device's property values, or undefined when the device is gone. */
  async deviceProperties(deviceId: string, context: AdapterCallContext): Promise<Record<string, unknown> | undefined> {
    const operation = 'reading device properties';
    const response = await this.caller.call(operation, (signal) =>
      expectOk(this.client.pathUnchecked('/api/devices/{deviceId}/properties', deviceId).get({ abortSignal: signal }), [200, 404], operation),
    context);
    if (statusOf(response) === 404) return undefined;
    if (!isObject(response.body)) throw unexpectedAnswer(operation);
    return response.body;
  }

  /**
   * Clears one property of a device: `PATCH /devices/{id}/properties` with a merge patch that
   * sets it to null, `{ "ownerEmail": null }` for a root property or
   * `{ "deviceInfo": { "ownerEmail": null } }` for `deviceInfo.ownerEmail`, which removes it
   * and leaves the device's other values. `false` when the device is gone.
   */
  async clearDeviceProperty(deviceId: string, propertyPath: string, context: AdapterCallContext): Promise<boolean> {
    const operation = 'clearing a device property';
    const body = propertyPath.split('.').reduceRight<unknown>((value, name) => ({ [name]: value }), null);
    const response = await this.caller.call(operation, (signal) => expectOk(
      this.client.pathUnchecked('/api/devices/{deviceId}/properties', deviceId).patch({
        abortSignal: signal,
        contentType: 'application/merge-patch+json',
        body,
      }),
      [200, 202, 404],
      operation,
    ), context);
    return statusOf(response) !== 404;
  }

  /** Deletes a user; `false` when it was already gone. */
  deleteUser(userId: string, context: AdapterCallContext): Promise<boolean> {
    return this.delete('/api/users/{userId}', userId, 'deleting an app user', context);
  }

  /** Deletes a device; `false` when it was already gone. */
  deleteDevice(deviceId: string, context: AdapterCallContext): Promise<boolean> {
    return this.delete('/api/devices/{deviceId}', deviceId, 'deleting a device', context);
  }

  private async delete(path: '/api/users/{userId}' | '/api/devices/{deviceId}', id: string, operation: string, context: AdapterCallContext): Promise<boolean> {
    const response = await this.caller.call(operation, (signal) =>
      expectOk(this.client.pathUnchecked(path, id).delete({ abortSignal: signal }), [200, 204, 404], operation),
    context);
    return statusOf(response) !== 404;
  }

  /** Follows `nextLink` (only to the app's own host, where the token may go) until the last page. */
  private async *pages<T>(
    path: string,
    operation: string,
    context: AdapterCallContext,
    queryParameters?: Record<string, unknown>,
  ): AsyncIterable<T[]> {
    const guard = new PageGuard('iotCentral', operation);
    let link: string | undefined;
    do {
      const current = link;
      const response: PathUncheckedResponse = await this.caller.call(operation, (signal) => expectOk(
        current === undefined
          ? this.client.pathUnchecked(path).get({ abortSignal: signal, queryParameters })
          : this.client.pathUnchecked(current).get({ abortSignal: signal }),
        [200],
        operation,
      ), context);
      const body = response.body as { value?: unknown; nextLink?: unknown } | undefined;
      if (!isObject(body) || !Array.isArray(body.value)) throw unexpectedAnswer(operation);
      yield body.value as T[];
      link = guard.follow(typeof body.nextLink === 'string' && body.nextLink !== '' ? this.followable(body.nextLink, operation) : undefined);
    } while (link !== undefined);
  }

  private followable(nextLink: string, operation: string): string {
    try {
      return sameOriginLink(this.endpoint, nextLink);
    } catch {
      throw new ServiceError('iotCentral', `IoT Central: ${operation} returned a next-page link to another host; not followed`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unexpectedAnswer(operation: string): ServiceError {
  return new ServiceError('iotCentral', `IoT Central: ${operation} returned a body of an unexpected shape`);
}
