import type { ManualStepSpec } from '../../dsr';

/** Key of the manual step, stable across requests. */
export const ALERT_RULE_EMAILS_STEP_KEY = 'iotCentral.alertRuleEmails';

/**
 * The step an approver does by hand: e-mail addresses in alert rules' e-mail actions have no
 * REST API (not in 2022-07-31 nor in any preview) and survive the deletion of the user.
 * Its facts name no person; approvers see the subject in the request itself.
 */
export function alertRuleEmailsStep(appName?: string): ManualStepSpec {
  return { key: ALERT_RULE_EMAILS_STEP_KEY, task: { code: 'iotCentral.alertRuleEmails', ...(appName && { appName }) } };
}
