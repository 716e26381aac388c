import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

/** The official Swagger 2.0 specs copied verbatim into test/contract/specs (see its README). */
const SPEC_FILES = {
  digitaltwins: 'digitaltwins/2023-10-31/digitaltwins.json',
  iotcentral: 'iotcentral/2022-07-31/iotcentral.json',
  dps: 'dps/2021-10-01/service.json',
  iothub: 'iothub/2020-03-13/iothubservice.json',
} as const;

export type SpecName = keyof typeof SPEC_FILES;

type Json = Record<string, unknown>;
interface SwaggerResponse { schema?: Json; headers?: Record<string, { type?: string }> }
interface Swagger { paths: Record<string, Record<string, { responses: Record<string, SwaggerResponse> }>>; definitions?: Json }

const specs = new Map<SpecName, { swagger: Swagger; ajv: Ajv; validators: Map<string, ValidateFunction> }>();

/**
 * Checks one answer of a sandbox service against the official spec: the operation must exist,
 * the status must be declared (or fall under `default`, for errors), and the body must validate
 * against that response's schema; a response without a schema must have no body. Declared
 * response headers that were sent must have the declared type.
 * @param specPath the path as written in the spec, e.g. `/digitaltwins/{id}`.
 * @throws an Error listing what does not match.
 */
export function expectMatchesSpec(
  spec: SpecName,
  method: string,
  specPath: string,
  status: number,
  body: unknown,
  headers?: Headers | Record<string, string | undefined>,
): void {
  const { swagger, ajv, validators } = load(spec);
  const operation = swagger.paths[specPath]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${spec}: the spec has no ${method.toUpperCase()} ${specPath}`);
  const declared = operation.responses[String(status)];
  const response = declared ?? (status >= 400 ? operation.responses.default : undefined);
  if (!response) throw new Error(`${spec}: ${method.toUpperCase()} ${specPath} declares no ${status} answer (declared: ${Object.keys(operation.responses).join(', ')})`);
  const where = `${spec} ${method.toUpperCase()} ${specPath} ${status}`;
  if (!response.schema) {
    if (body !== undefined && body !== '') throw new Error(`${where}: the spec declares no body, got ${JSON.stringify(body).slice(0, 200)}`);
  } else {
    const key = `${method} ${specPath} ${declared ? status : 'default'}`;
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile({ ...response.schema, definitions: swagger.definitions });
      validators.set(key, validate);
    }
    if (!validate(body)) throw new Error(`${where}: ${ajv.errorsText(validate.errors, { separator: '\n  ' })}\n  body: ${JSON.stringify(body).slice(0, 500)}`);
  }
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const value = headers instanceof Headers ? headers.get(name) : headers?.[name] ?? headers?.[name.toLowerCase()];
    if (value == null) continue;
    if ((header.type === 'number' || header.type === 'integer') && !Number.isFinite(Number(value))) {
      throw new Error(`${where}: header ${name} should be a ${header.type}, got '${value}'`);
    }
  }
}

/**
 * A device twin (IoT Hub's `Twin`, DPS's `initialTwin`) made checkable against the specs'
 * `TwinCollection`, which says every tag and every desired or reported property is an object
 * (`additionalProperties: {type: object}`), a defect of the specs: twins hold plain values
 * (`"owner": "<object id>"`, `"battery": 81`). Scalar values are checked to be JSON scalars and
 * then wrapped in `{ value }`; objects pass as they are. Anything else is returned unchanged.
 */
export function twinForSpec(body: unknown): unknown {
  if (!body || typeof body !== 'object') return body;
  const twin = body as { tags?: unknown; properties?: { desired?: unknown; reported?: unknown } };
  if (twin.tags === undefined && (twin.properties?.desired === undefined && twin.properties?.reported === undefined)) return body;
  return {
    ...twin,
    ...(twin.tags !== undefined && { tags: twinCollectionForSpec(twin.tags) }),
    ...(twin.properties !== undefined && {
      properties: {
        ...twin.properties,
        ...(twin.properties.desired !== undefined && { desired: twinCollectionForSpec(twin.properties.desired) }),
        ...(twin.properties.reported !== undefined && { reported: twinCollectionForSpec(twin.properties.reported) }),
      },
    }),
  };
}

/** One `TwinCollection` (tags, desired properties, DPS's `optionalDeviceInformation`) as {@link twinForSpec} makes it. */
export function twinCollectionForSpec(collection: unknown): unknown {
  if (!collection || typeof collection !== 'object') return collection;
  return Object.fromEntries(Object.entries(collection).map(([name, value]) => {
    if (value !== null && typeof value === 'object') return [name, value];
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new Error(`twin value '${name}' is neither an object nor a JSON scalar`);
    return [name, { value }];
  }));
}

function load(spec: SpecName) {
  let loaded = specs.get(spec);
  if (!loaded) {
    const file = path.join(__dirname, '..', 'contract', 'specs', SPEC_FILES[spec]);
    const swagger = asJsonSchema(JSON.parse(readFileSync(sourcePath(file), 'utf8'))) as Swagger;
    // Swagger 2.0 is a JSON Schema dialect with extra keywords (discriminator as a string,
    // x-ms-*), so unknown keywords are let through; formats such as int32 are not checked.
    loaded = { swagger, ajv: new Ajv({ strict: false, allErrors: true, validateFormats: false }), validators: new Map() };
    specs.set(spec, loaded);
  }
  return loaded;
}

/** Specs are JSON, not compiled: from dist/ read the copy in the source tree. */
function sourcePath(file: string): string {
  return file.replace(`${path.sep}dist${path.sep}test${path.sep}`, `${path.sep}test${path.sep}`);
}

/**
 * Swagger's meaning made explicit for JSON Schema: a schema with `properties` is an object
 * (the specs often leave out `type: object`), `x-nullable: true` allows null, and
 * `x-ms-examples` is dropped (it points at example files that are not part of the copies).
 */
function asJsonSchema(node: unknown, isNameMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => asJsonSchema(item));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'x-ms-examples' && !isNameMap) continue;
    // Under these keys sit maps from names to schemas: a property may be *named* `properties`.
    out[key] = asJsonSchema(value, !isNameMap && NAME_MAP_KEYS.has(key));
  }
  if (isNameMap) return out;
  if (out.properties && typeof out.properties === 'object' && out.type === undefined) out.type = 'object';
  if (out['x-nullable'] === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

const NAME_MAP_KEYS = new Set(['properties', 'definitions', 'paths', 'responses', 'parameters', 'headers', 'patternProperties']);
