export {
  createIotHubSandbox, IOT_HUB_SANDBOX_DEFAULT_PORT, type IotHubSandbox, type IotHubSandboxOptions,
} from './iotHubSandbox';
export type { IotHubSeed, IotHubSeedDevice } from './iotHubState';
