import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { STORAGE_NAMES } from '../../src/storage/storageClients';

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
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Role Based Access Control Administrator': 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
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
    ['the audit digests\' immutability policy', 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies'],
    ['the Key Vault', 'Microsoft.KeyVault/vaults'],
    ['the audit key secret', 'Microsoft.KeyVault/vaults/secrets'],
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
    expect(assignments.length).toBe(8); // the storage loop, the audit key, the pseudonym key, the logs account's secret, Digital Twins, DPS, IoT Hub, role assignments
    for (const block of assignments) expect(block).toContain("principalType: 'ServicePrincipal'");
    expect(MAIN).toContain('principalId: identity.properties.principalId');
  });

  it("gives the bot Role Based Access Control Administrator on the IoT resource group only with a condition that spares its own assignments", () => {
    const module = readFileSync(path.join(INFRA, 'access', 'roleAssignments.bicep'), 'utf8');
    expect(module).toContain("conditionVersion: '2.0'");
    for (const action of ['write', 'delete']) expect(module).toContain(`ActionMatches{\\'Microsoft.Authorization/roleAssignments/${action}\\'}`);
    expect(module).toMatch(/@Request\[Microsoft\.Authorization\/roleAssignments:PrincipalId\] ForAnyOfAnyValues:GuidNotEquals \{\$\{principalId\}\}/);
    expect(module).toMatch(/@Resource\[Microsoft\.Authorization\/roleAssignments:PrincipalId\] ForAnyOfAnyValues:GuidNotEquals \{\$\{principalId\}\}/);
    expect(MAIN).toMatch(/module roleAssignmentsAccess 'access\/roleAssignments\.bicep'[^]*scope: resourceGroup\(iotResourceGroupName\)/);
    expect(CODE).not.toContain("'18d7d88d-d35e-4fb5-a5c3-7773c20a72d9'"); // User Access Administrator
    expect(CODE).not.toContain("'8e3af657-a8ff-443c-a75c-2fe8c4bcd635'"); // Owner
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

  it('names the containers, queue and tables as the bot does', () => {
    expect(declaration('exportsContainer')).toContain("name: 'exports'");
    expect(declaration('digestsContainer')).toContain('name: digestsContainerName');
    expect(CODE).toContain(`var digestsContainerName = '${STORAGE_NAMES.digestsContainer}'`);
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

  it('makes the audit digests write-once for seven years: a time-based retention policy without appends, left alone once locked', () => {
    const policy = declaration('digestsImmutability');
    expect(policy).toMatch(/= if \(!auditDigestsPolicyLocked\) \{/);
    expect(policy).toContain('parent: digestsContainer');
    expect(policy).toContain("name: 'default'");
    expect(policy).toContain('immutabilityPeriodSinceCreationInDays: auditDigestRetentionDays');
    expect(policy).toContain('allowProtectedAppendWrites: false');
    expect(MAIN).toMatch(/@minValue\(730\)\s*\n@maxValue\(146000\)\s*\n(@description\([^\n]*\)\s*\n)?param auditDigestRetentionDays int = 2555/);
    // Locking is an action, not a property: the deployment says how, with the policy's ETag.
    expect(MAIN).toMatch(/output AUDIT_DIGESTS_LOCK string = auditDigestsPolicyLocked \? '' : '[^\n]*az storage container immutability-policy lock [^\n]*--if-match/);
    // The lifecycle rule deletes exports only, never digests.
    expect(declaration('exportsLifecycle')).not.toContain('digests');
  });

  it('keeps the audit key in a Key Vault (RBAC, soft delete, purge protection) that only the bot\'s identity reads, through a Key Vault reference', () => {
    const vault = declaration('vault');
    for (const property of ['enableRbacAuthorization: true', 'enableSoftDelete: true', 'enablePurgeProtection: true']) expect(vault).toContain(property);
    expect(MAIN).toMatch(/@secure\(\)\s*\n@minLength\(44\)\s*\n(@description\([^\n]*\)\s*\n)?param auditHmacKey string\n/);
    const secret = declaration('auditKeySecret');
    expect(secret).toContain('parent: vault');
    expect(secret).toContain('value: auditHmacKey');
    const reader = declaration('auditKeyReader');
    expect(reader).toContain('scope: auditKeySecret');
    expect(reader).toContain("subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)");
    expect(reader).toContain('principalId: identity.properties.principalId');
    expect(CODE).toContain(`var keyVaultSecretsUser = '${ROLES['Key Vault Secrets User']}'`);
    const webApp = declaration('webApp');
    expect(webApp).toContain('keyVaultReferenceIdentity: identity.id');
    expect(webApp).toMatch(/dependsOn: \[[^\]]*\bauditKeyReader\b[^\]]*\]/);
    expect(webApp).toContain("{ name: 'DSR_AUDIT_HMAC_KEY', value: '@Microsoft.KeyVault(SecretUri=${auditKeySecret.properties.secretUri})' }");
    // The key itself never goes into the site's settings.
    expect(webApp).not.toMatch(/value: auditHmacKey/);
  });

  it("leaves telemetry to the bot's own scrubbed exporter: the App Service agent's auto-instrumentation is off", () => {
    expect(CODE).toMatch(/name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights\.properties\.ConnectionString/);
    expect(CODE).toContain("{ name: 'ApplicationInsightsAgent_EXTENSION_VERSION', value: 'disabled' }");
  });

  it('runs the bot on Linux with Node 22 LTS, under the user-assigned identity, in an Azure Bot on Teams', () => {
    const webApp = declaration('webApp');
    expect(webApp).toContain("linuxFxVersion: 'NODE|22-lts'");
    expect(webApp).toContain("type: 'UserAssigned'");
    expect(declaration('plan')).toContain('reserved: true');
    expect(declaration('teamsChannel')).toContain("channelName: 'MsTeamsChannel'");
  });

  it('gives the Azure Bot the user-assigned identity as its app identity: no app registration, no password', () => {
    const bot = declaration('bot');
    expect(bot).toContain("msaAppType: 'UserAssignedMSI'");
    expect(bot).toContain('msaAppId: identity.properties.clientId');
    expect(bot).toContain('msaAppMSIResourceId: identity.id');
    expect(bot).toContain('msaAppTenantId: tenantId');
    const webApp = declaration('webApp');
    expect(webApp).toContain("{ name: 'MicrosoftAppType', value: 'UserAssignedMSI' }");
    expect(webApp).toContain("{ name: 'MicrosoftAppId', value: identity.properties.clientId }");
    expect(webApp).toContain("{ name: 'MicrosoftAppTenantId', value: tenantId }");
    expect(webApp).not.toContain('MicrosoftAppPassword');
    expect(CODE).not.toMatch(/ClientSecret|AppPassword/i);
    // Agents Toolkit writes it back as BOT_ID, which the Teams manifest names as the bot.
    expect(CODE).toContain('output BOT_ID string = identity.properties.clientId');
  });

  it('gives every secret to the App Service as a Key Vault reference resolved by the identity, never as a plain setting', () => {
    const webApp = declaration('webApp');
    const secure = [...MAIN.matchAll(/@secure\(\)\s*\n(?:@\w+\([^\n]*\)\s*\n)*param (\w+) /g)].map((m) => m[1]);
    expect(secure).toEqual(expect.arrayContaining(['pseudonymKey', 'auditHmacKey']));
    // A secure parameter's value goes into a vault secret and nowhere else.
    for (const name of secure) {
      const uses = [...CODE.matchAll(new RegExp(`\\b${name}\\b`, 'g'))].length;
      expect([name, uses]).toEqual([name, 2]); // its declaration and one secret's value
      expect(CODE).toMatch(new RegExp(`resource \\w+ 'Microsoft\\.KeyVault\\/vaults\\/secrets@[^']+' = \\{\\n  parent: vault\\n  name: '[a-z-]+'\\n  properties: \\{\\n    value: ${name}\\n`));
    }
    const settings = [...webApp.matchAll(/\{ name: '(\w+)', value: ([^\n]*) \}/g)].map((m) => ({ name: m[1], value: m[2] }));
    const secretSettings = ['DSR_PSEUDONYM_KEY', 'DSR_AUDIT_HMAC_KEY', 'DSR_IOT_CENTRAL_API_TOKEN', 'DSR_DPS_SAS_TOKEN', 'DSR_IOT_HUB_CONNECTION_STRING', 'MicrosoftAppPassword'];
    for (const { name, value } of settings.filter((setting) => secretSettings.includes(setting.name))) {
      expect([name, value]).toEqual([name, expect.stringMatching(/^'@Microsoft\.KeyVault\(SecretUri=\$\{\w+\.properties\.secretUri\}\)'$/)]);
    }
    expect(webApp).toContain("{ name: 'DSR_PSEUDONYM_KEY', value: '@Microsoft.KeyVault(SecretUri=${pseudonymKeySecret.properties.secretUri})' }");
    expect(webApp).toContain('keyVaultReferenceIdentity: identity.id');
    // The identity reads each secret it needs, on that secret only, before the site resolves it.
    const reader = declaration('pseudonymKeyReader');
    expect(reader).toContain('scope: pseudonymKeySecret');
    expect(reader).toContain("subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)");
    expect(reader).toContain('principalId: identity.properties.principalId');
    expect(webApp).toMatch(/dependsOn: \[[^\]]*\bpseudonymKeyReader\b[^\]]*\]/);
  });

  it('lets only the App Service\'s subnet and trusted Azure services reach the Storage account', () => {
    const storage = declaration('storage');
    expect(storage).toMatch(/networkAcls: \{\n\s+defaultAction: 'Deny'\n\s+bypass: 'AzureServices'\n\s+virtualNetworkRules: \[\{ id: appSubnet\.id, action: 'Allow' \}\]\n\s+ipRules: \[\]\n\s+\}/);
    expect(storage).toContain("publicNetworkAccess: 'Enabled'"); // the rules above decide, not all-or-nothing
    const vnet = declaration('vnet');
    expect(vnet).toContain("'Microsoft.Network/virtualNetworks@");
    const subnet = declaration('appSubnet');
    expect(subnet).toContain('parent: vnet');
    expect(subnet).toContain("serviceEndpoints: [{ service: 'Microsoft.Storage' }]");
    expect(subnet).toContain("serviceName: 'Microsoft.Web/serverFarms'");
    expect(declaration('webApp')).toContain('virtualNetworkSubnetId: appSubnet.id');
  });

  it('keeps deleted blobs and containers, and earlier blob versions, for a while, and lets the lifecycle rule remove an export\'s versions too', () => {
    const blobs = declaration('blobService');
    expect(blobs).toContain('isVersioningEnabled: true');
    expect(blobs).toContain('deleteRetentionPolicy: { enabled: true, days: softDeleteDays }');
    expect(blobs).toContain('containerDeleteRetentionPolicy: { enabled: true, days: softDeleteDays }');
    expect(CODE).toMatch(/^var softDeleteDays = 7$/m);
    // Without this, deleting an expired package would only turn it into a previous version, kept for ever.
    const lifecycle = declaration('exportsLifecycle');
    expect(lifecycle).toContain('version: { delete: { daysAfterCreationGreaterThan: exportLinkDays } }');
    expect(lifecycle).toContain('snapshot: { delete: { daysAfterCreationGreaterThan: exportLinkDays } }');
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
  const CONFIG_DIR = path.resolve(__dirname, '..', '..', 'src', 'config');
  const CONFIG = readdirSync(CONFIG_DIR).map((file) => readFileSync(path.join(CONFIG_DIR, file), 'utf8')).join('\n');

  it('set everything the bot needs outside sandbox mode', () => {
    expect(settings).toEqual(
      expect.arrayContaining([
        'MicrosoftAppId',
        'MicrosoftAppType',
        'MicrosoftAppTenantId',
        'AZURE_CLIENT_ID',
        'DSR_SANDBOX',
        'DSR_HOST',
        'DSR_STORAGE_BLOB_URL',
        'DSR_STORAGE_QUEUE_URL',
        'DSR_STORAGE_TABLE_URL',
        'DSR_APPROVER_GROUP_ID',
        'DSR_PSEUDONYM_KEY',
        'DSR_AUDIT_HMAC_KEY',
        'DSR_EXPORT_LINK_DAYS',
        'DSR_SERVICES',
        'DSR_DIGITAL_TWINS_URL',
        'DSR_IOT_CENTRAL_URL',
        'DSR_DPS_URL',
        'DSR_IOT_HUB_HOST_NAME',
        'DSR_ARM_URL',
        'DSR_AZURE_SUBSCRIPTION_ID',
        'DSR_ROLE_ASSIGNMENT_SCOPES',
        'DSR_BOT_PRINCIPAL_ID',
      ]),
    );
  });

  it('name only settings src/config.ts reads (no typo goes unnoticed)', () => {
    const ours = settings.filter((name) => name.startsWith('DSR_') || name.startsWith('Microsoft') || name === 'AZURE_CLIENT_ID');
    expect(ours.length).toBeGreaterThan(15);
    for (const name of ours) expect(CONFIG).toMatch(new RegExp(`['.]${name}\\b`));
  });

  it('never hold a storage connection string or account key; the one key (the logs account\'s) goes into Key Vault only', () => {
    expect(settings).not.toContain('DSR_STORAGE_CONNECTION_STRING');
    // The only account key read in the deployment: the system-generated logs' own account, into its vault secret.
    expect([...CODE.matchAll(/(\w+)\.listKeys\(/g)].map((m) => m[1])).toEqual(['serviceExportStorage']);
    expect(declaration('serviceExportStorageSecret')).toMatch(/parent: vault[\s\S]*AccountKey=\$\{serviceExportStorage\.listKeys\(\)/);
    expect(declaration('webApp')).toContain("{ name: 'DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING', value: systemLogs ? '@Microsoft.KeyVault(SecretUri=${serviceExportStorageSecret.properties.secretUri})' : '' }");
    expect(declaration('webApp')).toMatch(/dependsOn: \[[^\]]*\bserviceExportStorageReader\b[^\]]*\]/);
  });

  it('gives the system-generated logs an account of their own that holds nothing else and forgets what an export left', () => {
    const account = declaration('serviceExportStorage');
    expect(account).toContain('= if (systemLogs)');
    expect(account).toContain("minimumTlsVersion: 'TLS1_2'");
    expect(account).toContain('supportsHttpsTrafficOnly: true');
    expect(account).toContain('allowBlobPublicAccess: false');
    const lifecycle = declaration('serviceExportLifecycle');
    expect(lifecycle).toContain("prefixMatch: ['dsr-export-']");
    expect(lifecycle).toContain('daysAfterModificationGreaterThan: 40');
    expect(declaration('serviceExportStorageReader')).toContain('scope: serviceExportStorageSecret');
    // The bot's own account keeps refusing shared keys.
    expect(declaration('storage')).toContain('allowSharedKeyAccess: false');
  });
});
