import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Bicep in infra/ read as text (no Bicep compiler here): every resource and role assignment
 * the deployment needs is declared, every parameter is used, and the App Service is given the
 * settings the bot needs outside sandbox mode.
 */

const INFRA = path.resolve(__dirname, '..', '..', 'infra');
const bicepFiles = (dir = INFRA): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? bicepFiles(path.join(dir, entry.name)) : entry.name.endsWith('.bicep') ? [path.join(dir, entry.name)] : [],
  );
const FILES = bicepFiles();
const MAIN = readFileSync(path.join(INFRA, 'azure.bicep'), 'utf8');
/** All Bicep text without comments, so that a resource only mentioned in a comment does not count. */
const CODE = FILES.map((file) => readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '')).join('\n');

/** Built-in role ids, from learn.microsoft.com/azure/role-based-access-control/built-in-roles. */
const ROLES = {
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Storage Blob Delegator': 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a',
  'Azure Digital Twins Data Owner': 'bcd981a7-7f74-457b-83e1-cceb9e632ffe',
  'Device Provisioning Service Data Contributor': 'dfce44e4-17b7-4bd1-a6d1-04996ec95633',
  'IoT Hub Registry Contributor': '4ea46cd5-c1b2-4a8e-910b-273211f9ce47',
};

/** The body of the resource declared as `symbol`, up to the next top-level declaration. */
function declaration(symbol: string, text = CODE): string {
  const start = new RegExp(`^resource ${symbol} `, 'm').exec(text);
  if (!start) throw new Error(`no resource ${symbol}`);
  const rest = text.slice(start.index);
  const end = /\n(resource|module|output|param|var) /.exec(rest.slice(1));
  return end ? rest.slice(0, end.index + 1) : rest;
}

describe('infra/azure.bicep', () => {
  it.each([
    ['the Azure Bot', 'Microsoft.BotService/botServices'],
    ['its Teams channel', 'Microsoft.BotService/botServices/channels'],
    ['the App Service plan', 'Microsoft.Web/serverfarms'],
    ['the App Service', 'Microsoft.Web/sites'],
    ['the user-assigned managed identity', 'Microsoft.ManagedIdentity/userAssignedIdentities'],
    ['the Storage account', 'Microsoft.Storage/storageAccounts'],
    ['the exports container', 'Microsoft.Storage/storageAccounts/blobServices/containers'],
    ['the jobs queue', 'Microsoft.Storage/storageAccounts/queueServices/queues'],
    ['the tables', 'Microsoft.Storage/storageAccounts/tableServices/tables'],
    ['the exports lifecycle rule', 'Microsoft.Storage/storageAccounts/managementPolicies'],
    ['Application Insights', 'Microsoft.Insights/components'],
    ['role assignments', 'Microsoft.Authorization/roleAssignments'],
  ])('declares %s (%s)', (_what, type) => {
    expect(CODE).toMatch(new RegExp(`^resource \\w+ '${type.replace(/\//g, '\\/')}@\\d{4}-\\d{2}-\\d{2}(-preview)?'`, 'm'));
  });

  it.each(Object.entries(ROLES))('assigns %s (%s) to the identity', (_role, id) => {
    expect(CODE).toContain(`'${id}'`);
    // Used as a role definition, not just written down.
    expect(CODE).toMatch(/roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', \w+(\.value)?\)/);
  });

  it('grants the roles to the managed identity as a service principal', () => {
    const assignments = CODE.split(/^resource /m).filter((block) => block.includes("'Microsoft.Authorization/roleAssignments@"));
    expect(assignments.length).toBe(4); // the storage loop, Digital Twins, DPS, IoT Hub
    for (const block of assignments) expect(block).toContain("principalType: 'ServicePrincipal'");
    expect(MAIN).toContain('principalId: identity.properties.principalId');
  });

  it('says where the IoT Central role is granted: in the application, not Azure RBAC', () => {
    expect(MAIN).toMatch(/IoT Central[^\n]*inside the application/);
    expect(MAIN).toContain('output IOT_CENTRAL_USER_TO_ADD string');
  });

  it('refuses shared-key access to the Storage account and serves it over TLS 1.2 only', () => {
    const storage = declaration('storage');
    expect(storage).toContain('allowSharedKeyAccess: false');
    expect(storage).toContain("minimumTlsVersion: 'TLS1_2'");
    expect(storage).toContain('allowBlobPublicAccess: false');
  });

  it('names the container, queue and tables as the bot does', () => {
    expect(declaration('exportsContainer')).toContain("name: 'exports'");
    expect(declaration('jobsQueue')).toContain("name: 'dsr-jobs'");
    expect(declaration('tables')).toContain("['dsrrequests', 'dsrcounters', 'dsraudit', 'dsrconversations']");
  });

  it('deletes export packages once their link has expired', () => {
    const lifecycle = declaration('exportsLifecycle');
    expect(lifecycle).toMatch(/prefixMatch: \['\$\{exportsContainer\.name\}\/'\]/);
    expect(lifecycle).toContain('delete: { daysAfterModificationGreaterThan: exportLinkDays }');
    expect(MAIN).toContain("{ name: 'DSR_EXPORT_LINK_DAYS', value: string(exportLinkDays) }");
    expect(MAIN).toMatch(/@maxValue\(7\)\s*\n(@description\([^\n]*\)\s*\n)?param exportLinkDays int/);
  });

  it('runs the bot on Linux with Node 22 LTS, under the user-assigned identity, in a single-tenant Azure Bot on Teams', () => {
    const webApp = declaration('webApp');
    expect(webApp).toContain("linuxFxVersion: 'NODE|22-lts'");
    expect(webApp).toContain("type: 'UserAssigned'");
    expect(declaration('plan')).toContain('reserved: true');
    expect(declaration('bot')).toContain("msaAppType: 'SingleTenant'");
    expect(declaration('teamsChannel')).toContain("channelName: 'MsTeamsChannel'");
  });

  it.each(FILES.map((file) => [path.relative(INFRA, file), file]))('uses every param it declares: %s', (_name, file) => {
    const text = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
    const params = [...text.matchAll(/^param (\w+) /gm)].map((m) => m[1]);
    expect(params.length).toBeGreaterThan(0);
    const unused = params.filter((name) => text.match(new RegExp(`\\b${name}\\b`, 'g'))!.length < 2);
    expect(unused).toEqual([]);
  });

  it('gets a value for every param without a default from azure.parameters.json, and only for declared params', () => {
    const declared = [...MAIN.matchAll(/^param (\w+) \w+( = .*)?$/gm)];
    const required = declared.filter((m) => !m[2]).map((m) => m[1]);
    const given = Object.keys(JSON.parse(readFileSync(path.join(INFRA, 'azure.parameters.json'), 'utf8')).parameters);
    expect(given).toEqual(expect.arrayContaining(required));
    expect(declared.map((m) => m[1])).toEqual(expect.arrayContaining(given));
  });
});

describe('the App Service settings', () => {
  const settings = [...MAIN.matchAll(/\{ name: '([A-Za-z_0-9]+)', value: /g)].map((m) => m[1]);
  const CONFIG = readFileSync(path.resolve(__dirname, '..', '..', 'src', 'config.ts'), 'utf8');

  it('set everything the bot needs outside sandbox mode', () => {
    expect(settings).toEqual(
      expect.arrayContaining([
        'MicrosoftAppId',
        'MicrosoftAppPassword',
        'MicrosoftAppTenantId',
        'AZURE_CLIENT_ID',
        'DSR_SANDBOX',
        'DSR_HOST',
        'DSR_STORAGE_BLOB_URL',
        'DSR_STORAGE_QUEUE_URL',
        'DSR_STORAGE_TABLE_URL',
        'DSR_APPROVER_GROUP_ID',
        'DSR_PSEUDONYM_KEY',
        'DSR_EXPORT_LINK_DAYS',
        'DSR_SERVICES',
        'DSR_DIGITAL_TWINS_URL',
        'DSR_IOT_CENTRAL_URL',
        'DSR_DPS_URL',
        'DSR_IOT_HUB_HOST_NAME',
      ]),
    );
  });

  it('name only settings src/config.ts reads (no typo goes unnoticed)', () => {
    const ours = settings.filter((name) => name.startsWith('DSR_') || name.startsWith('Microsoft') || name === 'AZURE_CLIENT_ID');
    expect(ours.length).toBeGreaterThan(15);
    for (const name of ours) expect(CONFIG).toMatch(new RegExp(`['.]${name}\\b`));
  });

  it('never hold a storage connection string or account key', () => {
    expect(settings).not.toContain('DSR_STORAGE_CONNECTION_STRING');
    expect(CODE).not.toMatch(/listKeys\(/);
  });
});
