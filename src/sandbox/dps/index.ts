export { createDpsSandbox, DPS_SANDBOX_DEFAULT_PORT, type DpsSandbox, type DpsSandboxOptions } from './dpsSandbox';
export { DPS_API_VERSION } from './apiVersion';
export { DPS_ERROR_CODES } from './dpsErrors';
export { DEFAULT_QUERY_PAGE_SIZE, MAX_QUERY_PAGE_SIZE } from './queryPaging';
export type { DpsSeed, DpsSeedEnrollment, DpsSeedFleet, DpsSeedRegistration, DpsSeedEnrollmentGroup } from './dpsSeed';
export type * from './dpsModel';
