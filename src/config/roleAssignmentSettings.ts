import { subscriptionOf } from '../azureFacts/armScopes';
import { loadTenant } from '../sandbox/tenant';
import { SANDBOX_PORTS } from './sandboxDefaults';
import { serviceUrlProblem } from './serviceUrls';
import { GUID, type SettingReader } from './settingReader';

/** Azure RBAC role assignments (Azure Resource Manager). */
export interface RoleAssignmentsConfig {
  url: string;
  subscriptionId: string;
  /** Resource ids whose assignments (at or below them) the bot finds and removes. */
  scopes: string[];
  /** The bot's own object id: its assignments are never touched. */
  botPrincipalId: string;
}

/**
 * DSR_ARM_URL, DSR_AZURE_SUBSCRIPTION_ID, DSR_ROLE_ASSIGNMENT_SCOPES and DSR_BOT_PRINCIPAL_ID; in
 * sandbox mode the last three default to tenant.json's `azure` section.
 */
export function roleAssignmentSettings({ text, problems }: SettingReader, sandbox: boolean, used: boolean): RoleAssignmentsConfig {
  const fallback = sandbox ? loadTenant().azure : undefined;
  const url = text('DSR_ARM_URL', sandbox ? `https://127.0.0.1:${SANDBOX_PORTS.arm}` : 'https://management.azure.com');
  const subscriptionId = text('DSR_AZURE_SUBSCRIPTION_ID', fallback?.subscriptionId ?? '');
  const scopes = text('DSR_ROLE_ASSIGNMENT_SCOPES', fallback?.roleAssignmentScopes.join(',') ?? '').split(',').map((scope) => scope.trim()).filter(Boolean);
  const botPrincipalId = text('DSR_BOT_PRINCIPAL_ID', fallback?.botPrincipalId ?? '');
  if (used) {
    if (!sandbox && serviceUrlProblem(url)) problems.push(`DSR_ARM_URL ${serviceUrlProblem(url)}: Azure Resource Manager, https://management.azure.com.`);
    if (!GUID.test(subscriptionId)) problems.push('DSR_AZURE_SUBSCRIPTION_ID must be the id (a GUID) of the subscription holding the IoT resources when DSR_SERVICES includes roleAssignments.');
    if (scopes.length === 0) problems.push('DSR_ROLE_ASSIGNMENT_SCOPES must name the resource ids (comma-separated) whose role assignments the bot finds and removes when DSR_SERVICES includes roleAssignments.');
    const outside = scopes.filter((scope) => subscriptionOf(scope)?.toLowerCase() !== subscriptionId.toLowerCase());
    if (outside.length > 0) problems.push(`DSR_ROLE_ASSIGNMENT_SCOPES has ${outside.length} entr${outside.length === 1 ? 'y' : 'ies'} that ${outside.length === 1 ? 'is' : 'are'} not a subscription, resource group or resource id in DSR_AZURE_SUBSCRIPTION_ID.`);
    if (!GUID.test(botPrincipalId)) problems.push("DSR_BOT_PRINCIPAL_ID must be the bot's own object id (a GUID), whose role assignments are never touched, when DSR_SERVICES includes roleAssignments.");
  }
  return { url, subscriptionId, scopes, botPrincipalId };
}
