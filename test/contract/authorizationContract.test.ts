import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { createArmSandbox, type ArmSandbox } from '../../src/sandbox/arm';
import { loadTenant } from '../../src/sandbox/tenant';
import { sandboxPool } from '../support/sandboxPool';
import { rawRequest, type RawResponse } from '../sandbox/sandboxGraphClient';

/**
 * Every route of the ARM sandbox answered for real and checked against Microsoft.Authorization
 * 2022-04-01, through a hand-written extract of the spec (specs/authorization/2022-04-01, see
 * specs/README.md): the operation, its declared status codes and the schema of its answer.
 * At the end, every operation of the extract must have been exercised.
 */
interface Operation { id: string; method: string; path: string; responses: Record<string, string | null>; nextLink?: boolean }
interface Extract { apiVersion: string; operations: Operation[]; schemas: Record<string, unknown> }

const extract = JSON.parse(readFileSync(path.resolve('test/contract/specs/authorization/2022-04-01/roleAssignments.contract.json'), 'utf8')) as Extract;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'authorization', schemas: extract.schemas });

const tenant = loadTenant();
const { subscriptionId, resourceGroup, resources } = tenant.azure;
const V = `api-version=${extract.apiVersion}`;
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const SUB = `/subscriptions/${subscriptionId}`;
const RG = `${SUB}/resourceGroups/${resourceGroup}`;
const ASSIGNMENTS = '/providers/Microsoft.Authorization/roleAssignments';
const READER = 'acdd72a7-3374-422e-8ebf-8d3d8ed9b4cd';
const alex = tenant.users.find((user) => user.displayName === 'Alex Wilber')!.aadObjectId;
const chen = tenant.users.find((user) => user.displayName === 'Chen Wei')!.aadObjectId;
const byAlex = `$filter=${encodeURIComponent(`principalId eq '${alex}'`)}`;

const sandboxes = sandboxPool('arm-contract', (dataDir) => createArmSandbox({ tenant, dataDir, port: 0 }));
let sandbox: ArmSandbox;
const exercised = new Set<string>();

beforeAll(async () => {
  sandbox = await sandboxes.start();
});
afterAll(() => sandboxes.closeAll());

/** Sends the request and checks the answer against operation `operationId` of the extract. */
async function conforms(operationId: string, method: string, url: string, expectedStatus: number, body?: unknown): Promise<RawResponse> {
  const operation = extract.operations.find((candidate) => candidate.id === operationId);
  if (!operation) throw new Error(`the extract has no ${operationId}`);
  expect(operation.method).toBe(method);
  if (operation.path.startsWith('/subscriptions/')) {
    // The fixed-path operations: the URL must fill exactly the extract's path.
    const pattern = new RegExp(`^${operation.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    expect(new URL(url, 'https://x.invalid').pathname).toMatch(pattern);
  }
  const response = await rawRequest(sandbox, method, url, { headers: BEARER, body });
  expect(response.status).toBe(expectedStatus);
  const declared = String(response.status) in operation.responses ? operation.responses[String(response.status)] : (response.status >= 400 ? operation.responses.default : undefined);
  if (declared === undefined) throw new Error(`${operationId} declares no ${response.status}`);
  if (declared === null) expect(response.body).toBeUndefined();
  else {
    const validate = ajv.getSchema(`authorization#/schemas/${declared}`)!;
    if (!validate(response.body)) throw new Error(`${operationId} ${response.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body).slice(0, 400)}`);
  }
  exercised.add(operationId);
  return response;
}

/** Follows nextLink through a pageable operation; every page must conform. */
async function allPages(operationId: string, url: string): Promise<number> {
  let pages = 0;
  for (let next: string | undefined = url; next; pages++) {
    next = ((await conforms(operationId, 'GET', next, 200)).body as { nextLink?: string }).nextLink;
    if (next) expect(new URL(next).origin).toBe(sandbox.url);
  }
  return pages;
}

describe('ARM sandbox against Microsoft.Authorization 2022-04-01 (extract)', () => {
  it('the list operations answer RoleAssignmentListResult pages linked by nextLink', async () => {
    expect(await allPages('RoleAssignments_ListForSubscription', `${SUB}${ASSIGNMENTS}?${V}&${byAlex}`)).toBe(3);
    expect(await allPages('RoleAssignments_ListForResourceGroup', `${RG}${ASSIGNMENTS}?${V}&${byAlex}`)).toBeGreaterThan(1);
    expect(await allPages('RoleAssignments_ListForResource', `${resources.iotHub}${ASSIGNMENTS}?${V}&${byAlex}`)).toBeGreaterThan(1);
    expect(await allPages('RoleAssignments_ListForScope', `${resources.digitalTwins}${ASSIGNMENTS}?${V}&$filter=atScope()`)).toBeGreaterThan(0);
  });

  it('get, create and delete by scope and name: 200, 201 then 200, 200 then 204, errors as ErrorResponse', async () => {
    const name = '3a1b2c3d-0000-4000-8000-00000000c0de';
    const item = `${resources.dps}${ASSIGNMENTS}/${name}`;
    const properties = { roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: chen, principalType: 'User' };
    await conforms('RoleAssignments_Create', 'PUT', `${item}?${V}`, 201, { properties });
    await conforms('RoleAssignments_Create', 'PUT', `${item}?${V}`, 200, { properties });
    await conforms('RoleAssignments_Create', 'PUT', `${item}?${V}`, 400, { properties: { principalId: chen } });
    await conforms('RoleAssignments_Get', 'GET', `${item}?${V}`, 200);
    await conforms('RoleAssignments_Delete', 'DELETE', `${item}?${V}`, 200);
    await conforms('RoleAssignments_Delete', 'DELETE', `${item}?${V}`, 204);
    await conforms('RoleAssignments_Get', 'GET', `${item}?${V}`, 404);
  });

  it('the by-id operations on a full assignment id', async () => {
    const id = `${RG}${ASSIGNMENTS}/3a1b2c3d-0000-4000-8000-00000000c0df`;
    const properties = { roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: chen };
    // Read-only properties sent in a create are not taken: scope comes from the path, dates from the service.
    const readOnlySent = { ...properties, scope: SUB, createdOn: '2000-01-01T00:00:00Z', createdBy: chen };
    const created = await conforms('RoleAssignments_CreateById', 'PUT', `${id}?${V}`, 201, { properties: readOnlySent });
    expect(created.body).toMatchObject({ id, properties: { scope: RG, createdBy: null } });
    expect((created.body as { properties: { createdOn: string } }).properties.createdOn).not.toBe('2000-01-01T00:00:00Z');
    await conforms('RoleAssignments_GetById', 'GET', `${id}?${V}`, 200);
    await conforms('RoleAssignments_DeleteById', 'DELETE', `${id}?${V}`, 200);
    await conforms('RoleAssignments_DeleteById', 'DELETE', `${id}?${V}`, 204);
    await conforms('RoleAssignments_GetById', 'GET', `${id}?${V}`, 404);
  });

  it('role definitions by scope and by id: RoleDefinition, and ErrorResponse for an unknown one', async () => {
    await conforms('RoleDefinitions_Get', 'GET', `${resources.iotCentral}/providers/Microsoft.Authorization/roleDefinitions/${READER}?${V}`, 200);
    await conforms('RoleDefinitions_GetById', 'GET', `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}?${V}`, 200);
    await conforms('RoleDefinitions_GetById', 'GET', `/providers/Microsoft.Authorization/roleDefinitions/${READER}?${V}`, 200);
    await conforms('RoleDefinitions_Get', 'GET', `${RG}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-4000-8000-000000000000?${V}`, 404);
  });

  it('a throttled or unauthenticated call still answers an ErrorResponse', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, retryAfterSeconds: 3, count: 1, pathPrefix: SUB } });
    const throttled = await conforms('RoleAssignments_ListForSubscription', 'GET', `${SUB}${ASSIGNMENTS}?${V}`, 429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    const anonymous = await rawRequest(sandbox, 'GET', `${SUB}${ASSIGNMENTS}?${V}`);
    expect(anonymous.status).toBe(401);
    expect(ajv.getSchema('authorization#/schemas/ErrorResponse')!(anonymous.body)).toBe(true);
  });

  it('covers every operation of the extract', () => {
    expect([...exercised].sort()).toEqual(extract.operations.map((operation) => operation.id).sort());
  });
});
