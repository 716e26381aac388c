/**
 * The shared base of the sandbox services: an HTTP(S) server with routing,
 * Authorization check, fault injection and stats, and a JSON state store.
 */
export { startSandboxServer, type RunningSandboxServer, type SandboxServerOptions } from './sandboxServer';
export type {
  ErrorBodyFormatter,
  ErrorContext,
  Route,
  RouteHandler,
  SandboxErrorDetails,
  InnerRequest,
  SandboxRequest,
  SandboxResponse,
  SandboxServiceDefinition,
} from './sandboxService';
export { SandboxHttpError } from './sandboxHttpError';
export { errorCodeOf, errorWithCodeHeader, STATUS_NAMED_CODES, type ServiceErrorCodes } from './errorCodes';
export { checkingApiVersion } from './apiVersionCheck';
export { decodeOffsetToken, encodeOffsetToken, nextLinkPage, type NextLinkPaging } from './offsetPaging';
export { JsonStateStore, sandboxStatePath } from './jsonStateStore';
export { ensureSandboxCertificate, sandboxCertificatePath } from './sandboxCertificate';
export {
  startStatefulSandbox, type HttpsSandboxServer, type SandboxPlacement, type StatefulSandboxService,
} from './statefulSandbox';
export type { PemKeyPair } from './selfSignedCertificate';
export type { FaultRule } from './faultInjector';
export type { RequestStatsSnapshot } from './requestStats';
export {
  SandboxThrottle, SINGLE_CLASS_PROFILE, throttleProfileFor, type ThrottleProfile, type ThrottleRequest, type ThrottleTarget, type ThrottleVerdict,
} from './throttleLimiter';
export { tokenizeQuery, type QueryLanguage, type QueryToken, type QueryTokenProblem } from './queryTokenizer';
export { DIGITAL_TWINS_QUERY, IOT_HUB_QUERY, ODATA_FILTER } from './queryLanguages';
