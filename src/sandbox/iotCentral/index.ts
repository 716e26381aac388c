export {
  createIotCentralSandbox, IOT_CENTRAL_SANDBOX_DEFAULT_PORT, type IotCentralSandbox, type IotCentralSandboxOptions,
} from './iotCentralSandbox';
export { IOT_CENTRAL_API_VERSION } from './apiVersion';
export type { IotCentralState, IotCentralUser, IotCentralDevice, IotCentralRole } from './iotCentralState';
