// DSR Bot in Azure: an App Service on Linux running the bot under a user-assigned managed
// identity, which is also the Azure Bot's app identity (no app registration, no password); a
// Storage account reached only with that identity and only from the App Service's subnet; a Key
// Vault holding the bot's secrets; Application Insights; the Azure Bot on the Teams channel; and
// the identity's data-plane roles.
// Deployed by Agents Toolkit (m365agents.yml, arm/deploy) or `az deployment group create`.

@minLength(4)
@maxLength(20)
@description('Names every resource; lowercase letters, digits and hyphens.')
param resourceBaseName string

param location string = resourceGroup().location

@description('App Service plan size (Linux).')
param webAppSku string = 'B1'

@maxLength(42)
param botDisplayName string = 'DSR Bot'

@description('Object id of the Entra group whose members approve requests.')
param approverGroupId string

@description('Object id of the Entra group of compliance officers, who may read every request but act on none. Empty: nobody.')
param complianceGroupId string = ''

@secure()
@minLength(16)
@description('Secret keying the pseudonyms of erased subjects (DSR_PSEUDONYM_KEY).')
param pseudonymKey string

// Taken from a secure parameter rather than made here: newGuid() can only be a parameter's
// default, so it would make a new key on every deployment, and with another key no audit entry
// written before verifies. Generate it once (`openssl rand -base64 32`) and keep it with the
// other secrets of the environment; it is stored only in the Key Vault below.
@secure()
@minLength(44)
@description('Key sealing the audit chain and its digests (DSR_AUDIT_HMAC_KEY): base64 of at least 32 random bytes. Set once, never changed.')
param auditHmacKey string

// Seven years: longer than the 24 months 11 CCR §7101 keeps request records and than common
// limitation periods for data-protection claims (six years in England and Wales), so a digest
// outlives any dispute about the requests it anchors. Digests hold request ids, counts and
// hashes only, so keeping them that long keeps no personal data.
@minValue(730)
@maxValue(146000)
@description('Days each audit digest is write-once (WORM) after it is written.')
param auditDigestRetentionDays int = 2555

@description('true once the audit digests\' immutability policy was locked (output AUDIT_DIGESTS_LOCK): a locked policy cannot be deployed again, only extended.')
param auditDigestsPolicyLocked bool = false

@minValue(1)
@maxValue(7)
@description('Days an export link lives; the lifecycle rule deletes packages after that. Seven at most: links are user-delegation SAS.')
param exportLinkDays int = 7

@description('Resource id of the Azure Digital Twins instance requests reach; empty: none.')
param digitalTwinsResourceId string = ''

@description('Resource id of the Device Provisioning Service; empty: none.')
param dpsResourceId string = ''

@description('Resource id of the IoT hub; empty: none.')
param iotHubResourceId string = ''

@description('URL of the IoT Central application, https://<subdomain>.azureiotcentral.com; empty: none.')
param iotCentralAppUrl string = ''

@description('Resource id of the IoT Central application (Microsoft.IoTCentral/iotApps), whose Azure role assignments requests reach; empty: none.')
param iotCentralAppResourceId string = ''

@description('Resource group holding the IoT resources: the bot gets Role Based Access Control Administrator there, to remove subjects\' role assignments. Empty: no role assignments service.')
param iotResourceGroupName string = ''

@description('Export Entra system-generated logs (Graph exportPersonalData) with access and export requests: makes the Storage account Graph writes them into.')
param systemLogs bool = false

var tenantId = subscription().tenantId
var storageAccountName = take(toLower('${replace(resourceBaseName, '-', '')}${uniqueString(resourceGroup().id)}'), 24)
var serviceExportAccountName = take(toLower('${replace(resourceBaseName, '-', '')}sx${uniqueString(resourceGroup().id)}'), 24)
var keyVaultName = take(toLower('${replace(resourceBaseName, '-', '')}kv${uniqueString(resourceGroup().id)}'), 24)
var digestsContainerName = 'audit-digests'

// Days a deleted blob or container (and a blob's overwritten or deleted version) can be restored.
// Seven: long enough to notice and undo a mistaken or hostile delete of the exports or digests
// containers within a working week, short enough that an export package the lifecycle rule
// removed (with its versions) is really gone at most exportLinkDays + about a day (the rule runs
// daily) + seven days after it was written: well inside GDPR's one month for an erasure. Soft
// delete cannot be purged early (allowPermanentDelete stays off: it would let whoever holds the
// bot's role destroy the copies soft delete keeps), so these seven days are the floor. SECURITY.md.
var softDeleteDays = 7

// Built-in role ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var storageRoles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Get User Delegation Key: signs the export links, as the account allows no shared keys.
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
}
// Reads secret values: each of the bot's secrets, for the App Service's Key Vault references.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

// [subscription, resource group, name] of each optional service; a stand-in id when unset so
// that the scope of its (skipped) module still evaluates.
var noResource = '/subscriptions/${subscription().subscriptionId}/resourceGroups/${resourceGroup().name}/providers/none/none/none'
var digitalTwinsId = split(empty(digitalTwinsResourceId) ? noResource : digitalTwinsResourceId, '/')
var dpsId = split(empty(dpsResourceId) ? noResource : dpsResourceId, '/')
var iotHubId = split(empty(iotHubResourceId) ? noResource : iotHubResourceId, '/')

var services = concat(
  ['entra', 'botStore'],
  empty(digitalTwinsResourceId) ? [] : ['digitalTwins'],
  empty(iotCentralAppUrl) ? [] : ['iotCentral'],
  empty(dpsResourceId) ? [] : ['dps'],
  empty(iotHubResourceId) ? [] : ['iotHub'],
  empty(roleAssignmentScopes) ? [] : ['roleAssignments'],
  systemLogs ? ['systemLogs'] : []
)
// Azure Resource Manager of this cloud, without the trailing slash environment() gives it.
var armUrl = endsWith(environment().resourceManager, '/') ? substring(environment().resourceManager, 0, length(environment().resourceManager) - 1) : environment().resourceManager
// The scopes whose role assignments are a subject's data: the IoT resources given above.
var roleAssignmentScopes = empty(iotResourceGroupName) ? [] : filter([digitalTwinsResourceId, iotHubResourceId, dpsResourceId, iotCentralAppResourceId], (id) => !empty(id))

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-identity'
  location: location
}

// The App Service reaches Storage from this subnet (regional VNet integration) through a
// Microsoft.Storage service endpoint, so the account can refuse every other network. A service
// endpoint rather than a private endpoint: no private DNS zone, no extra resource per service,
// and the account keeps its public names (README, "Network").
resource vnet 'Microsoft.Network/virtualNetworks@2023-11-01' = {
  name: '${resourceBaseName}-vnet'
  location: location
  properties: {
    addressSpace: { addressPrefixes: ['10.40.0.0/24'] }
  }
}

resource appSubnet 'Microsoft.Network/virtualNetworks/subnets@2023-11-01' = {
  parent: vnet
  name: 'app'
  properties: {
    addressPrefix: '10.40.0.0/26'
    delegations: [{ name: 'web', properties: { serviceName: 'Microsoft.Web/serverFarms' } }]
    serviceEndpoints: [{ service: 'Microsoft.Storage' }]
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false // Entra only: the bot signs in with its managed identity
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Only the App Service's subnet; AzureServices lets trusted services in (lifecycle management
    // runs inside the platform). Whoever runs audit:verify from elsewhere adds an ipRules entry.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      virtualNetworkRules: [{ id: appSubnet.id, action: 'Allow' }]
      ipRules: []
    }
  }
}

// Soft delete and versioning undo a deleted or overwritten blob or a deleted container (see
// softDeleteDays). They also keep copies of deleted export packages: the lifecycle rule deletes
// an expired package's versions with it, and soft delete ends after softDeleteDays.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: softDeleteDays }
    containerDeleteRetentionPolicy: { enabled: true, days: softDeleteDays }
  }
}

// Names as in src/storage/storageClients.ts (the bot also creates them when missing).
resource exportsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'exports'
  properties: { publicAccess: 'None' }
}

// Audit digests (src/storage/auditDigests.ts): written once, never rewritten. The bot's identity
// holds Storage Blob Data Contributor, and so would whoever takes over that role; under a
// time-based retention policy no data-plane caller can overwrite or delete a digest before its
// period ends, whatever their role, and with protected appends off a digest cannot grow either.
// ARM creates the policy unlocked (its lock is a separate, irreversible action, not a property):
// unlocked, it already stops every data-plane write; locked (output AUDIT_DIGESTS_LOCK), not even
// an Owner of the account can shorten or remove it, and the account cannot be deleted while a
// digest is within its period. Azurite, the sandbox's storage, enforces no immutability at all.
resource digestsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: digestsContainerName
  properties: { publicAccess: 'None' }
}

resource digestsImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = if (!auditDigestsPolicyLocked) {
  parent: digestsContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: auditDigestRetentionDays
    allowProtectedAppendWrites: false
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource jobsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'dsr-jobs'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for name in ['dsrrequests', 'dsrcounters', 'dsraudit', 'dsrconversations']: {
    parent: tableService
    name: name
  }
]

// Export packages go once their link has expired (Azure runs lifecycle rules about once a day),
// their earlier versions and snapshots with them: with versioning on, deleting a blob only makes
// its current version a previous one.
resource exportsLifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-expired-exports'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['${exportsContainer.name}/'] }
            actions: {
              baseBlob: { delete: { daysAfterModificationGreaterThan: exportLinkDays } }
              version: { delete: { daysAfterCreationGreaterThan: exportLinkDays } }
              snapshot: { delete: { daysAfterCreationGreaterThan: exportLinkDays } }
            }
          }
        }
      ]
    }
  }
}

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(storageRoles): {
    scope: storage
    name: guid(storage.id, identity.id, role.value)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// The bot's secrets, out of the Storage account and out of the site's settings. The audit key,
// out of the Storage account the chain is kept in: whoever can rewrite the tables cannot read it. RBAC authorization (no access policies); soft delete and purge protection, as a
// key lost is every chain unverifiable.
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource auditKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'dsr-audit-hmac-key'
  properties: {
    value: auditHmacKey
    contentType: 'DSR_AUDIT_HMAC_KEY: base64, 32+ bytes'
  }
}

// On the one secret, not the vault: the identity reads its own secrets and nothing else there.
resource auditKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: auditKeySecret
  name: guid(auditKeySecret.id, identity.id, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Keys the pseudonyms of erased subjects: whoever reads it can test a guessed identity against a
// pseudonym, so it lives beside the audit key, read by the identity alone, not in app settings.
resource pseudonymKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'dsr-pseudonym-key'
  properties: {
    value: pseudonymKey
    contentType: 'DSR_PSEUDONYM_KEY: 16+ characters'
  }
}

resource pseudonymKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: pseudonymKeySecret
  name: guid(pseudonymKeySecret.id, identity.id, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Entra's system-generated logs: Microsoft's export service writes them through a container SAS,
// for up to 30 days, from outside any network rule. The bot's own account can do neither (VNet
// rules; no shared key, so its SAS are user-delegation SAS of 7 days at most), so these exports
// get an account of their own that holds nothing else: open to the internet, but every request
// needs a SAS, each SAS is one request's container with create, write and list only (no read,
// no delete), and the bot deletes the container once the logs are in the subject's package.
// Its key is the one account key of the deployment; it goes into Key Vault and nowhere else.
resource serviceExportStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = if (systemLogs) {
  name: serviceExportAccountName
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: true // the 35-day SAS Graph needs is signed with the key
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

// Whatever a failed or abandoned export left behind is gone after 40 days (an export lasts 30 at most).
resource serviceExportLifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (systemLogs) {
  parent: serviceExportStorage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-stale-service-exports'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['dsr-export-'] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 40 } } }
          }
        }
      ]
    }
  }
}

resource serviceExportStorageSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (systemLogs) {
  parent: vault
  name: 'dsr-service-export-storage'
  properties: {
    value: 'DefaultEndpointsProtocol=https;AccountName=${serviceExportAccountName};AccountKey=${serviceExportStorage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
    contentType: 'DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING'
  }
}

resource serviceExportStorageReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (systemLogs) {
  scope: serviceExportStorageSecret
  name: guid(serviceExportStorageSecret.id, identity.id, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

module digitalTwinsAccess 'access/digitalTwins.bicep' = if (!empty(digitalTwinsResourceId)) {
  name: 'dsr-digital-twins-access'
  scope: resourceGroup(digitalTwinsId[2], digitalTwinsId[4])
  params: { name: digitalTwinsId[8], principalId: identity.properties.principalId }
}

module dpsAccess 'access/dps.bicep' = if (!empty(dpsResourceId)) {
  name: 'dsr-dps-access'
  scope: resourceGroup(dpsId[2], dpsId[4])
  params: { name: dpsId[8], principalId: identity.properties.principalId }
}

module iotHubAccess 'access/iotHub.bicep' = if (!empty(iotHubResourceId)) {
  name: 'dsr-iot-hub-access'
  scope: resourceGroup(iotHubId[2], iotHubId[4])
  params: { name: iotHubId[8], principalId: identity.properties.principalId }
}

module roleAssignmentsAccess 'access/roleAssignments.bicep' = if (!empty(roleAssignmentScopes)) {
  name: 'dsr-role-assignments-access'
  scope: resourceGroup(iotResourceGroupName)
  params: { principalId: identity.properties.principalId }
}

// IoT Central grants its roles inside the application, not through Azure RBAC: add the identity
// there as a service-principal user (see the output IOT_CENTRAL_USER_TO_ADD and the README).

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${resourceBaseName}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan'
  location: location
  kind: 'linux'
  sku: { name: webAppSku }
  properties: { reserved: true } // Linux
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  // The Key Vault references resolve only once the identity may read the secrets.
  dependsOn: [auditKeyReader, pseudonymKeyReader, serviceExportStorageReader]
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Outbound traffic to Storage leaves from this subnet (the account's network rules allow it).
    virtualNetworkSubnetId: appSubnet.id
    // Key Vault references are resolved as the user-assigned identity (there is no system-assigned one).
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      appCommandLine: 'node dist/src/index.js'
      alwaysOn: true // the job worker and the purge sweep run in the process
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      // Every setting src/config/ needs outside sandbox mode; the rest keep their defaults.
      appSettings: [
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        // The bot sends its own telemetry (src/telemetry.ts) when this is set, every span scrubbed of personal data.
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
        // The App Service agent's auto-instrumentation stays off: it records outbound URLs as they
        // are (`/users/{objectId}`, `$filter=mail eq '<address>'`), past the bot's scrubbing.
        { name: 'ApplicationInsightsAgent_EXTENSION_VERSION', value: 'disabled' }
        // The bot is the identity (src/bot/createBotAdapter.ts): its outbound tokens come from the
        // managed-identity endpoint, so there is no password to leak or let expire.
        { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
        { name: 'MicrosoftAppId', value: identity.properties.clientId }
        { name: 'MicrosoftAppTenantId', value: tenantId }
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        { name: 'DSR_SANDBOX', value: 'off' }
        { name: 'DSR_HOST', value: '0.0.0.0' }
        { name: 'DSR_STORAGE_BLOB_URL', value: storage.properties.primaryEndpoints.blob }
        { name: 'DSR_STORAGE_QUEUE_URL', value: storage.properties.primaryEndpoints.queue }
        { name: 'DSR_STORAGE_TABLE_URL', value: storage.properties.primaryEndpoints.table }
        { name: 'DSR_APPROVER_GROUP_ID', value: approverGroupId }
        // Entra's employeeId, one per person: an erasure's two approvals must come from two people, not two accounts.
        { name: 'DSR_APPROVER_PERSON_KEY', value: 'employeeId' }
        { name: 'DSR_COMPLIANCE_GROUP_ID', value: complianceGroupId }
        // Resolved by App Service from the vault (the latest version); no key sits in the site's settings.
        { name: 'DSR_PSEUDONYM_KEY', value: '@Microsoft.KeyVault(SecretUri=${pseudonymKeySecret.properties.secretUri})' }
        { name: 'DSR_AUDIT_HMAC_KEY', value: '@Microsoft.KeyVault(SecretUri=${auditKeySecret.properties.secretUri})' }
        { name: 'DSR_EXPORT_LINK_DAYS', value: string(exportLinkDays) }
        { name: 'DSR_SERVICES', value: join(services, ',') }
        { name: 'DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING', value: systemLogs ? '@Microsoft.KeyVault(SecretUri=${serviceExportStorageSecret.properties.secretUri})' : '' }
        { name: 'DSR_DIGITAL_TWINS_URL', value: empty(digitalTwinsResourceId) ? '' : digitalTwinsAccess.outputs.endpoint }
        { name: 'DSR_IOT_CENTRAL_URL', value: iotCentralAppUrl }
        { name: 'DSR_DPS_URL', value: empty(dpsResourceId) ? '' : dpsAccess.outputs.endpoint }
        { name: 'DSR_IOT_HUB_HOST_NAME', value: empty(iotHubResourceId) ? '' : iotHubAccess.outputs.hostName }
        { name: 'DSR_ARM_URL', value: armUrl }
        { name: 'DSR_AZURE_SUBSCRIPTION_ID', value: subscription().subscriptionId }
        { name: 'DSR_ROLE_ASSIGNMENT_SCOPES', value: join(roleAssignmentScopes, ',') }
        { name: 'DSR_BOT_PRINCIPAL_ID', value: identity.properties.principalId }
        { name: 'DSR_LOG_LEVEL', value: 'info' }
      ]
    }
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    // The user-assigned identity is the bot's app identity: Bot Framework tokens name its client
    // id, and the bot gets its own tokens from the managed-identity endpoint.
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: tenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: { channelName: 'MsTeamsChannel' }
}

// Written into env/.env.<env> by Agents Toolkit.
// The bot's app id is the identity's client id; the Teams manifest names it as BOT_ID.
output BOT_ID string = identity.properties.clientId
output BOT_DOMAIN string = webApp.properties.defaultHostName
output AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output STORAGE_ACCOUNT_NAME string = storage.name
output KEY_VAULT_NAME string = vault.name
output AUDIT_DIGESTS_LOCK string = auditDigestsPolicyLocked ? '' : 'Lock the audit digests\' immutability policy (irreversible; then deploy with auditDigestsPolicyLocked=true): az storage container immutability-policy lock --resource-group ${resourceGroup().name} --account-name ${storage.name} --container-name ${digestsContainerName} --if-match "$(az storage container immutability-policy show --resource-group ${resourceGroup().name} --account-name ${storage.name} --container-name ${digestsContainerName} --query etag --output tsv)"'
output IOT_CENTRAL_USER_TO_ADD string = empty(iotCentralAppUrl) ? '' : 'In ${iotCentralAppUrl}: Permissions > Users > Assign user > Service principal, object id ${identity.properties.principalId}, tenant ${tenantId}, with a role that reads and deletes users and reads, updates and deletes devices.'
