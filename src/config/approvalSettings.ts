import type { Config } from './config';
import type { SettingReader } from './settingReader';

/** Who decides requests, who may only read them, and how many people an erasure needs. */
export function approvalSettings(
  read: SettingReader, sandbox: boolean, approverGroupFallback: string, complianceGroupFallback: string,
): Pick<Config, 'approverGroupId' | 'complianceGroupId' | 'approverPersonKey' | 'erasureApprovals'> {
  const { text, problems } = read;
  const approverGroupId = text('DSR_APPROVER_GROUP_ID', sandbox ? approverGroupFallback : '');
  if (!approverGroupId) problems.push('DSR_APPROVER_GROUP_ID is required: the object id of the Entra group whose members may decide requests.');
  const complianceGroupId = text('DSR_COMPLIANCE_GROUP_ID', sandbox ? complianceGroupFallback : '') || undefined;
  // Goes into a Graph $select as it is: a property name (e.g. employeeId, or an extension_…_name attribute), nothing else.
  const approverPersonKey = text('DSR_APPROVER_PERSON_KEY', 'employeeId');
  if (!/^[A-Za-z][A-Za-z0-9_]{0,119}$/.test(approverPersonKey)) problems.push('DSR_APPROVER_PERSON_KEY must be the name of a Graph user property (letters, digits, underscores), e.g. employeeId.');
  return {
    approverGroupId,
    ...(complianceGroupId ? { complianceGroupId } : {}),
    approverPersonKey,
    erasureApprovals: read.whole('DSR_ERASE_APPROVALS', 2, 1, 5),
  };
}
