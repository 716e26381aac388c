import { argumentInvalid } from './iotHubErrors';
import type { JsonObject, TwinRecord } from './iotHubState';

/** The parts of a twin a back end may change with `PATCH /twins/{id}`. */
export interface TwinPatch {
  tags?: JsonObject;
  desired?: JsonObject;
}

// IoT Hub: keys exclude control characters, '.', '$' and space; documents nest at most 10 deep.
// eslint-disable-next-line no-control-regex
const INVALID_KEY = /[\u0000-\u001f\u007f-\u009f.$ ]/;
const MAX_DEPTH = 10;

/**
 * Validates a twin patch: `tags` and `properties.desired` are merged; reported properties belong
 * to the device and cannot be patched by the service. Other twin fields in the body (deviceId,
 * etag, ...) are read-only and ignored, as IoT Hub ignores them.
 * @throws 400 `ArgumentInvalid`.
 */
export function parseTwinPatch(body: unknown): TwinPatch {
  if (!isObject(body)) throw argumentInvalid('The request body must be a twin patch object');
  const patch: TwinPatch = {};
  if (body.tags !== undefined) {
    if (!isObject(body.tags)) throw argumentInvalid('tags must be an object');
    checkKeys(body.tags, 1);
    patch.tags = body.tags;
  }
  if (body.properties !== undefined) {
    if (!isObject(body.properties)) throw argumentInvalid('properties must be an object');
    if (body.properties.reported !== undefined) throw argumentInvalid('Reported properties can only be updated by the device');
    if (body.properties.desired !== undefined) {
      if (!isObject(body.properties.desired)) throw argumentInvalid('properties.desired must be an object');
      checkKeys(body.properties.desired, 1);
      patch.desired = body.properties.desired;
    }
  }
  return patch;
}

/**
 * Merges a patch into a twin the way IoT Hub does: objects merge key by key, a `null` removes
 * the key, anything else replaces. The twin's version goes up with every patch, the desired
 * version only when desired properties were in it.
 */
export function applyTwinPatch(twin: TwinRecord, patch: TwinPatch, now: Date): void {
  if (patch.tags) twin.tags = merge(twin.tags, patch.tags);
  if (patch.desired) {
    twin.desired = merge(twin.desired, patch.desired);
    twin.desiredVersion += 1;
    twin.desiredUpdated = now.toISOString();
  }
  twin.version += 1;
}

function merge(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isObject(value)) result[key] = merge(isObject(result[key]) ? result[key] as JsonObject : {}, value);
    else result[key] = structuredClone(value);
  }
  return result;
}

function checkKeys(document: JsonObject, depth: number): void {
  if (depth > MAX_DEPTH) throw argumentInvalid(`Twin documents can be nested at most ${MAX_DEPTH} levels deep`);
  for (const [key, value] of Object.entries(document)) {
    if (key === '' || INVALID_KEY.test(key)) throw argumentInvalid(`Invalid property name '${key}'`);
    if (isObject(value)) checkKeys(value, depth + 1);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
