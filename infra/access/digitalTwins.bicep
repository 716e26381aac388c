// Azure Digital Twins Data Owner for the bot's identity on an existing instance; deployed into
// the instance's resource group by azure.bicep.
param name string
param principalId string

var azureDigitalTwinsDataOwner = 'bcd981a7-7f74-457b-83e1-cceb9e632ffe'

resource instance 'Microsoft.DigitalTwins/digitalTwinsInstances@2023-01-31' existing = {
  name: name
}

resource dataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: instance
  name: guid(instance.id, principalId, azureDigitalTwinsDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', azureDigitalTwinsDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${instance.properties.hostName}'
