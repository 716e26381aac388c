export {
  createDigitalTwinsSandbox, DIGITAL_TWINS_SANDBOX_DEFAULT_PORT, type DigitalTwinsSandbox, type DigitalTwinsSandboxOptions,
} from './digitalTwinsSandbox';
export type { DigitalTwinsSeed, RelationshipSeed, TwinSeed } from './digitalTwinsState';
