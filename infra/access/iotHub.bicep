// IoT Hub Registry Contributor for the bot's identity on an existing hub (IoT Hub Twin Contributor
// would do with DSR_IOT_HUB_ERASE_MODE=clearPersonalData); deployed into its resource group by
// azure.bicep.
param name string
param principalId string

var iotHubRegistryContributor = '4ea46cd5-c1b2-4a8e-910b-273211f9ce47'

resource hub 'Microsoft.Devices/IotHubs@2023-06-30' existing = {
  name: name
}

resource registryContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: hub
  name: guid(hub.id, principalId, iotHubRegistryContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', iotHubRegistryContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output hostName string = hub.properties.hostName
