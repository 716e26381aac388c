import { argumentInvalid } from './iotHubErrors';
import { generatedAuthentication, newKey, type AuthenticationType, type DeviceAuthentication } from './iotHubState';

/** What a `PUT /devices/{id}` body may set on an identity. */
export interface DeviceIdentityInput {
  status: 'enabled' | 'disabled';
  statusReason?: string;
  authentication: DeviceAuthentication;
  iotEdge: boolean;
}

const AUTHENTICATION_TYPES: readonly AuthenticationType[] = ['sas', 'selfSigned', 'certificateAuthority', 'none'];
// Letters, digits and the specials IoT Hub allows in a device id, up to 128 characters.
const DEVICE_ID = /^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$/;

/** @throws 400 `ArgumentInvalid` for an id IoT Hub would refuse. */
export function checkDeviceId(deviceId: string): void {
  if (!DEVICE_ID.test(deviceId)) throw argumentInvalid(`DeviceId ${deviceId} is invalid`);
}

/**
 * Validates a device identity body for the device at `pathDeviceId`. Empty SAS keys are filled
 * with generated ones, as IoT Hub does when a device is created without keys.
 * @throws 400 `ArgumentInvalid` when the body is not an identity of that device.
 */
export function parseDeviceIdentity(body: unknown, pathDeviceId: string): DeviceIdentityInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw argumentInvalid('The request body must be a device identity');
  const input = body as Record<string, unknown>;
  if (input.deviceId !== pathDeviceId) throw argumentInvalid('DeviceId in the body does not match the one in the request path');
  const status = input.status ?? 'enabled';
  if (status !== 'enabled' && status !== 'disabled') throw argumentInvalid("status must be 'enabled' or 'disabled'");
  const statusReason = input.statusReason ?? undefined;
  if (statusReason !== undefined && typeof statusReason !== 'string') throw argumentInvalid('statusReason must be a string');
  const capabilities = (input.capabilities ?? {}) as { iotEdge?: unknown };
  return {
    status,
    ...(statusReason !== undefined && { statusReason }),
    authentication: parseAuthentication(input.authentication),
    iotEdge: capabilities.iotEdge === true,
  };
}

function parseAuthentication(raw: unknown): DeviceAuthentication {
  if (raw === undefined || raw === null) return generatedAuthentication('sas');
  if (typeof raw !== 'object' || Array.isArray(raw)) throw argumentInvalid('authentication must be an object');
  const { type = 'sas', symmetricKey, x509Thumbprint } = raw as { type?: unknown; symmetricKey?: unknown; x509Thumbprint?: unknown };
  if (!AUTHENTICATION_TYPES.includes(type as AuthenticationType)) throw argumentInvalid(`authentication type ${String(type)} is not supported`);
  if (type === 'sas') {
    const keys = (symmetricKey ?? {}) as { primaryKey?: unknown; secondaryKey?: unknown };
    return { type, symmetricKey: { primaryKey: keyOrNew(keys.primaryKey), secondaryKey: keyOrNew(keys.secondaryKey) } };
  }
  if (type === 'selfSigned') {
    const prints = (x509Thumbprint ?? {}) as { primaryThumbprint?: unknown; secondaryThumbprint?: unknown };
    if (typeof prints.primaryThumbprint !== 'string' || prints.primaryThumbprint === '') {
      throw argumentInvalid('A selfSigned device needs a primary thumbprint');
    }
    const secondary = typeof prints.secondaryThumbprint === 'string' && prints.secondaryThumbprint !== ''
      ? prints.secondaryThumbprint : prints.primaryThumbprint;
    return { type, x509Thumbprint: { primaryThumbprint: prints.primaryThumbprint, secondaryThumbprint: secondary } };
  }
  return { type: type as AuthenticationType };
}

function keyOrNew(value: unknown): string {
  if (value === undefined || value === null || value === '') return newKey();
  if (typeof value !== 'string' || Buffer.from(value, 'base64').length < 16) {
    throw argumentInvalid('A symmetric key must be base64 of 16 to 64 bytes');
  }
  return value;
}
