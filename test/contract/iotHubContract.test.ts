import { Http } from 'azure-iothub/dist/common-http/http';
import { RestApiClient } from 'azure-iothub/dist/common-http/rest_api_client';
import { createIotHubSandbox, type IotHubSandbox } from '../../src/sandbox/iotHub';
import { loadTenant } from '../../src/sandbox/tenant';
import { sandboxPool } from '../support/sandboxPool';
import { expectMatchesSpec, twinForSpec } from '../support/specContract';
import { rawRequest, type RawResponse } from '../sandbox/sandboxGraphClient';

/**
 * Every route of the IoT Hub sandbox (all of them used by the adapter), success and error answers
 * alike, checked against the IoT Hub service spec (2020-03-13; azure-iothub speaks 2021-04-12,
 * with the same paths and shapes for these operations).
 *
 * Two things the spec cannot check:
 * - It declares no error answer for any operation (only 200/204). Error answers are checked to be
 *   undeclared there, and then against the contract that does exist: the body azure-iothub parses
 *   (`{"Message":"ErrorCode:<code>;<text>","ExceptionMessage":...}`, `Http.parseErrorBody`) and the
 *   error class its REST client maps it to (`translateError`), which is what the adapter sees.
 * - Its `Twin` says every tag and every desired or reported property is an object
 *   (`additionalProperties: {type: object}`), yet IoT Hub twins hold plain values
 *   (`"owner": "<object id>"`, `"battery": 81`, `"$version": 1`; the official twin examples do
 *   too). Scalar values are checked to be JSON scalars and then wrapped in an object for the
 *   spec's check; objects are passed as they are (`twinForSpec`).
 */
function conformToSpecDefects(body: unknown): unknown {
  return Array.isArray(body) ? body.map(conformToSpecDefects) : twinForSpec(body);
}

function expectIotHubSpec(method: string, specPath: string, response: RawResponse): void {
  expectMatchesSpec('iothub', method, specPath, response.status, conformToSpecDefects(response.body), response.headers);
}

/** The SDK's error classes by the name its REST client gives them. */
type SdkErrorName = 'ArgumentError' | 'UnauthorizedError' | 'DeviceNotFoundError' | 'DeviceAlreadyExistsError'
  | 'InvalidEtagError' | 'ThrottlingError' | 'InternalServerError';

/** An error answer: undeclared by the spec, and parsed by azure-iothub into the code and class the adapter relies on. */
function expectIotHubError(method: string, specPath: string, response: RawResponse, status: number, code: string, sdkError: SdkErrorName): void {
  expect(response.status).toBe(status);
  expect(() => expectMatchesSpec('iothub', method, specPath, status, response.body)).toThrow(/declares no \d+ answer/);
  const text = JSON.stringify(response.body);
  expect(Object.keys(response.body as object).sort()).toEqual(['ExceptionMessage', 'Message']);
  expect(Http.parseErrorBody(text)).toEqual({ code, message: expect.any(String) });
  const translated = RestApiClient.translateError(text, { statusCode: status, headers: {} });
  expect(translated.constructor.name).toBe(sdkError);
}

const tenant = loadTenant();
const API = 'api-version=2021-04-12';
const AUTH = { Authorization: 'Bearer dsr-sandbox-token' };
const ALEX_ID = 'e2000000-0000-4000-8000-000000000011';

const sandboxes = sandboxPool('iothub-contract', (dataDir) => createIotHubSandbox({ tenant, dataDir, port: 0 }));
let sandbox: IotHubSandbox;

beforeEach(async () => {
  sandbox = await sandboxes.start();
});

afterEach(() => sandboxes.closeAll());

function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; query?: string } = {}): Promise<RawResponse> {
  return rawRequest(sandbox, method, `${path}?${options.query ?? API}`, { body: options.body, headers: { ...AUTH, ...options.headers } });
}

describe('IoT Hub sandbox against the IoT Hub service spec (2020-03-13)', () => {
  describe('GET /devices/{id}', () => {
    it('200 for a SAS device and for a selfSigned device', async () => {
      for (const id of ['wearable-alex-01', 'laptop-diego']) {
        const response = await call('GET', `/devices/${id}`);
        expect(response.status).toBe(200);
        expectIotHubSpec('GET', '/devices/{id}', response);
      }
    });

    it('404 DeviceNotFound, 400 InvalidProtocolVersion, 401 without Authorization', async () => {
      expectIotHubError('GET', '/devices/{id}', await call('GET', '/devices/missing'), 404, 'DeviceNotFound', 'DeviceNotFoundError');
      expectIotHubError('GET', '/devices/{id}', await call('GET', '/devices/phone-alex', { query: 'api-version=1999-01-01' }), 400, 'InvalidProtocolVersion', 'ArgumentError');
      const anonymous = await rawRequest(sandbox, 'GET', `/devices/phone-alex?${API}`);
      expectIotHubError('GET', '/devices/{id}', anonymous, 401, 'IotHubUnauthorizedAccess', 'UnauthorizedError');
    });
  });

  describe('PUT /devices/{id}', () => {
    it('200 on create and on update, 409 on a second create, 412 on a stale ETag, 400 on a bad body', async () => {
      const created = await call('PUT', '/devices/contract-device', { body: { deviceId: 'contract-device', authentication: { type: 'sas' } } });
      expect(created.status).toBe(200);
      expectIotHubSpec('PUT', '/devices/{id}', created);
      const updated = await call('PUT', '/devices/contract-device', {
        body: { ...(created.body as object), status: 'disabled', statusReason: 'contract test' },
        headers: { 'If-Match': `"${(created.body as { etag: string }).etag}"` },
      });
      expect(updated.status).toBe(200);
      expectIotHubSpec('PUT', '/devices/{id}', updated);
      expectIotHubError('PUT', '/devices/{id}', await call('PUT', '/devices/contract-device', { body: { deviceId: 'contract-device' } }), 409, 'DeviceAlreadyExists', 'DeviceAlreadyExistsError');
      expectIotHubError('PUT', '/devices/{id}', await call('PUT', '/devices/contract-device', { body: { deviceId: 'contract-device' }, headers: { 'If-Match': '"c3RhbGU="' } }), 412, 'PreconditionFailed', 'InvalidEtagError');
      expectIotHubError('PUT', '/devices/{id}', await call('PUT', '/devices/contract-device', { body: { deviceId: 'someone-else' } }), 400, 'ArgumentInvalid', 'ArgumentError');
    });
  });

  describe('DELETE /devices/{id}', () => {
    it('412 on a stale ETag, 204 with the current one, 404 once gone', async () => {
      const etag = ((await call('GET', '/devices/headset-alex')).body as { etag: string }).etag;
      expectIotHubError('DELETE', '/devices/{id}', await call('DELETE', '/devices/headset-alex', { headers: { 'If-Match': '"c3RhbGU="' } }), 412, 'PreconditionFailed', 'InvalidEtagError');
      const deleted = await call('DELETE', '/devices/headset-alex', { headers: { 'If-Match': `"${etag}"` } });
      expect(deleted.status).toBe(204);
      expectIotHubSpec('DELETE', '/devices/{id}', deleted);
      expectIotHubError('DELETE', '/devices/{id}', await call('DELETE', '/devices/headset-alex', { headers: { 'If-Match': '"*"' } }), 404, 'DeviceNotFound', 'DeviceNotFoundError');
    });
  });

  describe('GET /twins/{id}', () => {
    it('200 for twins with tags and properties, without tags, and of a selfSigned device', async () => {
      for (const id of ['wearable-alex-01', 'phone-alex', 'laptop-diego', 'tablet-megan']) {
        const response = await call('GET', `/twins/${id}`);
        expect(response.status).toBe(200);
        expectIotHubSpec('GET', '/twins/{id}', response);
      }
    });

    it('404 DeviceNotFound', async () => {
      expectIotHubError('GET', '/twins/{id}', await call('GET', '/twins/missing'), 404, 'DeviceNotFound', 'DeviceNotFoundError');
    });
  });

  describe('PATCH /twins/{id}', () => {
    it('200 with the merged twin; 412 on a stale ETag, 400 on reported properties, 404 for a missing device', async () => {
      const etag = ((await call('GET', '/twins/wearable-alex-01')).body as { etag: string }).etag;
      const patched = await call('PATCH', '/twins/wearable-alex-01', {
        body: { tags: { owner: null, location: { site: 'dublin' } }, properties: { desired: { vibrate: null, volume: 3 } } },
        headers: { 'If-Match': `"${etag}"` },
      });
      expect(patched.status).toBe(200);
      expectIotHubSpec('PATCH', '/twins/{id}', patched);
      expectIotHubError('PATCH', '/twins/{id}', await call('PATCH', '/twins/wearable-alex-01', { body: { tags: { a: 'b' } }, headers: { 'If-Match': `"${etag}"` } }), 412, 'PreconditionFailed', 'InvalidEtagError');
      expectIotHubError('PATCH', '/twins/{id}', await call('PATCH', '/twins/wearable-alex-01', { body: { properties: { reported: { battery: 1 } } } }), 400, 'ArgumentInvalid', 'ArgumentError');
      expectIotHubError('PATCH', '/twins/{id}', await call('PATCH', '/twins/missing', { body: { tags: { a: 'b' } } }), 404, 'DeviceNotFound', 'DeviceNotFoundError');
    });
  });

  describe('POST /devices/query', () => {
    it('200 with a page of twins and its continuation header, and 200 with an empty page', async () => {
      const page = await call('POST', '/devices/query', { body: { query: 'SELECT * FROM devices' }, headers: { 'x-ms-max-item-count': '7' } });
      expect(page.status).toBe(200);
      expect(page.body).toHaveLength(7);
      expect(page.headers.get('x-ms-continuation')).toBeTruthy();
      expectIotHubSpec('POST', '/devices/query', page);
      const owned = await call('POST', '/devices/query', { body: { query: `SELECT * FROM devices WHERE tags.owner = '${ALEX_ID}' OR tags.owner = 'alex.wilber@contoso.test'` } });
      expect(owned.body).toHaveLength(2);
      expectIotHubSpec('POST', '/devices/query', owned);
      const owners = await call('POST', '/devices/query', { body: { query: `SELECT * FROM devices WHERE tags.owner IN ['${ALEX_ID}', 'alex.wilber@contoso.test']` } });
      expect(owners.body).toHaveLength(2);
      expectIotHubSpec('POST', '/devices/query', owners);
      const none = await call('POST', '/devices/query', { body: { query: "SELECT * FROM devices WHERE tags.owner = 'x\\' OR 1=1 OR T.$dtId != \\''" } });
      expect(none.body).toEqual([]);
      expectIotHubSpec('POST', '/devices/query', none);
    });

    it('400 for a query it does not take, 429 and 500 injected by the fault rules', async () => {
      expectIotHubError('POST', '/devices/query', await call('POST', '/devices/query', { body: { query: 'SELECT * FROM devices WHERE' } }), 400, 'ArgumentInvalid', 'ArgumentError');
      await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, count: 1, retryAfterSeconds: 2 } });
      const throttled = await call('POST', '/devices/query', { body: { query: 'SELECT * FROM devices' } });
      expectIotHubError('POST', '/devices/query', throttled, 429, 'ThrottlingException', 'ThrottlingError');
      expect(throttled.headers.get('retry-after')).toBe('2');
      await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 500, count: 1 } });
      expectIotHubError('POST', '/devices/query', await call('POST', '/devices/query', { body: { query: 'SELECT * FROM devices' } }), 500, 'ServerError', 'InternalServerError');
    });
  });

  it('the spec check itself refuses a twin of the wrong shape', () => {
    expect(() => expectMatchesSpec('iothub', 'GET', '/twins/{id}', 200, { deviceId: 'a', version: 'one' })).toThrow(/version/);
    expect(() => expectMatchesSpec('iothub', 'POST', '/devices/query', 200, { deviceId: 'not an array' })).toThrow(/array/);
  });
});
