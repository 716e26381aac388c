// Device Provisioning Service Data Contributor for the bot's identity on an existing DPS;
// deployed into its resource group by azure.bicep.
param name string
param principalId string

var dpsDataContributor = 'dfce44e4-17b7-4bd1-a6d1-04996ec95633'

resource dps 'Microsoft.Devices/provisioningServices@2022-12-12' existing = {
  name: name
}

resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: dps
  name: guid(dps.id, principalId, dpsDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dpsDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${dps.properties.serviceOperationsHostName}'
