export { ARM_SANDBOX_DEFAULT_PORT, createArmSandbox, type ArmSandbox, type ArmSandboxOptions } from './armSandbox';
export { AUTHORIZATION_API_VERSION } from './apiVersion';
export { ROLE_ASSIGNMENT_PAGE_SIZE } from './roleAssignmentRoutes';
export type { ArmState, StoredRoleAssignment, StoredRoleDefinition } from './armState';
