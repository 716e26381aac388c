import { createArmSandbox, type ArmSandbox } from '../../src/sandbox/arm';
import { loadTenant } from '../../src/sandbox/tenant';
import { sandboxPool } from '../support/sandboxPool';
import { rawRequest, type RawResponse } from './sandboxGraphClient';

const tenant = loadTenant();
const { subscriptionId, resourceGroup, resources, botPrincipalId } = tenant.azure;
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const V = 'api-version=2022-04-01';
const SUB = `/subscriptions/${subscriptionId}`;
const RG = `${SUB}/resourceGroups/${resourceGroup}`;
const ASSIGNMENTS = '/providers/Microsoft.Authorization/roleAssignments';
const alex = tenant.users.find((user) => user.displayName === 'Alex Wilber')!.aadObjectId;
const chen = tenant.users.find((user) => user.displayName === 'Chen Wei')!.aadObjectId;
const READER = 'acdd72a7-3374-422e-8ebf-8d3d8ed9b4cd';

interface Assignment { id: string; name: string; type: string; properties: { scope: string; principalId: string; roleDefinitionId: string; principalType: string } }
interface Page { value: Assignment[]; nextLink?: string }

let clock = Date.UTC(2026, 11, 1, 9, 0, 0);
const sandboxes = sandboxPool('arm-sandbox', (dataDir, readsPerHour?: number) =>
  createArmSandbox({ tenant, dataDir, port: 0, readsPerHour, now: () => clock }));
afterAll(() => sandboxes.closeAll());

function call(sandbox: ArmSandbox, method: string, path: string, body?: unknown, headers: Record<string, string> = BEARER): Promise<RawResponse> {
  return rawRequest(sandbox, method, path, { headers, body });
}

/** Every assignment a list call returns, following nextLink, and how many pages it took. */
async function listAll(sandbox: ArmSandbox, path: string): Promise<{ assignments: Assignment[]; pages: number }> {
  const assignments: Assignment[] = [];
  let pages = 0;
  let next: string | undefined = path;
  while (next) {
    const response = await call(sandbox, 'GET', next);
    expect(response.status).toBe(200);
    const page = response.body as Page;
    assignments.push(...page.value);
    pages++;
    next = page.nextLink;
  }
  return { assignments, pages };
}

const byPrincipal = (id: string) => `$filter=${encodeURIComponent(`principalId eq '${id}'`)}`;

describe('sandbox Azure Resource Manager: role assignments', () => {
  it("lists a principal's assignments at, above and below a scope, over several nextLink pages", async () => {
    const sandbox = await sandboxes.start();
    const atSubscription = await listAll(sandbox, `${SUB}${ASSIGNMENTS}?${V}&${byPrincipal(alex)}`);
    expect(atSubscription.assignments).toHaveLength(6);
    expect(atSubscription.pages).toBe(3);
    expect(new Set(atSubscription.assignments.map((a) => a.properties.principalId))).toEqual(new Set([alex]));

    const atHub = await listAll(sandbox, `${resources.iotHub}${ASSIGNMENTS}?${V}&${byPrincipal(alex)}`);
    // The hub's own, plus the resource group's and the subscription's above it; not the other resources'.
    expect(atHub.assignments.map((a) => a.properties.scope).sort()).toEqual([SUB, RG, resources.iotHub].sort());

    const atResourceGroup = await listAll(sandbox, `${RG}${ASSIGNMENTS}?${V}&${byPrincipal(alex)}`);
    expect(atResourceGroup.assignments).toHaveLength(6);
  });

  it('answers the resource-group and resource list paths of the spec, and atScope() with those at or above only', async () => {
    const sandbox = await sandboxes.start();
    const resourcePath = `${RG}/providers/Microsoft.Devices/provisioningServices/contoso-dps${ASSIGNMENTS}`;
    expect(resources.dps).toBe(`${RG}/providers/Microsoft.Devices/provisioningServices/contoso-dps`);
    const atScope = await listAll(sandbox, `${RG}${ASSIGNMENTS}?${V}&$filter=atScope()`);
    expect(atScope.assignments.length).toBeGreaterThan(0);
    expect(atScope.assignments.every((a) => a.properties.scope === RG || a.properties.scope === SUB)).toBe(true);
    const onDps = await listAll(sandbox, `${resourcePath}?${V}&${byPrincipal(alex)}`);
    expect(onDps.assignments.map((a) => a.properties.scope)).toContain(resources.dps);
    expect((await call(sandbox, 'GET', `${RG}${ASSIGNMENTS}?${V}&$filter=${encodeURIComponent("roleName eq 'x'")}`)).body)
      .toMatchObject({ error: { code: 'InvalidFilter' } });
  });

  it('gets, creates and deletes by scope and name and by id: 200 with the deleted one, then 204 once gone', async () => {
    const sandbox = await sandboxes.start();
    const name = '5e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
    const id = `${resources.digitalTwins}${ASSIGNMENTS}/${name}`;
    const roleDefinitionId = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`;
    const created = await call(sandbox, 'PUT', `${id}?${V}`, { properties: { roleDefinitionId, principalId: chen, principalType: 'User' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, name, type: 'Microsoft.Authorization/roleAssignments', properties: { scope: resources.digitalTwins, principalId: chen, roleDefinitionId } });
    expect((await call(sandbox, 'PUT', `${id}?${V}`, { properties: { roleDefinitionId, principalId: chen } })).status).toBe(200);
    expect((await call(sandbox, 'PUT', `${resources.digitalTwins}${ASSIGNMENTS}/6e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b?${V}`, { properties: { roleDefinitionId, principalId: chen } })).body)
      .toMatchObject({ error: { code: 'RoleAssignmentExists' } });
    expect((await call(sandbox, 'GET', `${id}?${V}`)).status).toBe(200);

    const deleted = await call(sandbox, 'DELETE', `${id}?${V}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id, properties: { principalId: chen } });
    expect((await call(sandbox, 'DELETE', `${id}?${V}`)).status).toBe(204);
    const missing = await call(sandbox, 'GET', `${id}?${V}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'RoleAssignmentNotFound' } });
  });

  it('refuses a create without a principal, or with a role that does not exist, and changes nothing', async () => {
    const sandbox = await sandboxes.start();
    const path = `${RG}${ASSIGNMENTS}/7e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b?${V}`;
    const noPrincipal = await call(sandbox, 'PUT', path, { properties: { roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}` } });
    expect(noPrincipal.status).toBe(400);
    const noRole = await call(sandbox, 'PUT', path, { properties: { roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-4000-8000-000000000000`, principalId: chen } });
    expect(noRole.body).toMatchObject({ error: { code: 'RoleDefinitionDoesNotExist' } });
    expect((await listAll(sandbox, `${SUB}${ASSIGNMENTS}?${V}&${byPrincipal(chen)}`)).assignments).toEqual([]);
  });

  it('serves role definitions by scope and by id, with ARM error bodies for unknown ones', async () => {
    const sandbox = await sandboxes.start();
    const atHub = await call(sandbox, 'GET', `${resources.iotHub}/providers/Microsoft.Authorization/roleDefinitions/${READER}?${V}`);
    expect(atHub.body).toMatchObject({ name: READER, type: 'Microsoft.Authorization/roleDefinitions', properties: { roleName: 'Reader', type: 'BuiltInRole' } });
    const byId = await call(sandbox, 'GET', `/providers/Microsoft.Authorization/roleDefinitions/${READER}?${V}`);
    expect(byId.body).toMatchObject({ properties: { roleName: 'Reader' } });
    const unknown = await call(sandbox, 'GET', `${SUB}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-4000-8000-000000000000?${V}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'RoleDefinitionDoesNotExist', message: expect.any(String), target: null, details: [], additionalInfo: [] } });
  });

  it('wants a bearer token and api-version 2022-04-01', async () => {
    const sandbox = await sandboxes.start();
    const path = `${SUB}${ASSIGNMENTS}`;
    expect((await call(sandbox, 'GET', `${path}?${V}`, undefined, {})).body).toMatchObject({ error: { code: 'AuthenticationFailed' } });
    expect((await call(sandbox, 'GET', path)).body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    expect((await call(sandbox, 'GET', `${path}?api-version=2020-10-01`)).body).toMatchObject({ error: { code: 'InvalidApiVersionParameter' } });
  });

  it('throttles reads per principal per hour: the remaining count in a header, then 429 with Retry-After until tokens come back', async () => {
    const sandbox = await sandboxes.start(3);
    const path = `${RG}${ASSIGNMENTS}?${V}&$filter=atScope()`;
    const remaining = async (headers: Record<string, string> = BEARER) => {
      const response = await call(sandbox, 'GET', path, undefined, headers);
      return { status: response.status, left: response.headers.get('x-ms-ratelimit-remaining-subscription-reads'), retryAfter: response.headers.get('retry-after'), body: response.body };
    };
    expect((await remaining()).left).toBe('2');
    expect((await remaining()).left).toBe('1');
    expect((await remaining()).left).toBe('0');
    const refused = await remaining();
    expect(refused).toMatchObject({ status: 429, left: '0', retryAfter: '1200', body: { error: { code: 'TooManyRequests' } } });
    // Another principal has its own budget.
    expect((await remaining({ Authorization: 'Bearer another-principal' })).status).toBe(200);
    // Writes are not reads.
    expect((await call(sandbox, 'DELETE', `${RG}${ASSIGNMENTS}/8e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b?${V}`)).status).toBe(204);
    clock += 1_200_000;
    expect((await remaining()).status).toBe(200);
  });

  it("keeps the bot's own seeded assignments next to everyone else's", async () => {
    const sandbox = await sandboxes.start();
    const bot = await listAll(sandbox, `${SUB}${ASSIGNMENTS}?${V}&${byPrincipal(botPrincipalId)}`);
    expect(bot.assignments.map((a) => a.properties.principalType)).toEqual(['ServicePrincipal', 'ServicePrincipal']);
  });
});
