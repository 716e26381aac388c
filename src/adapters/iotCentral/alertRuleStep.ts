import type { ManualStepSpec } from '../../dsr';

/** Key of the manual step, stable across requests. */
export const ALERT_RULE_EMAILS_STEP_KEY = 'iotCentral.alertRuleEmails';

/**
 * The step an approver does by hand: e-mail addresses in alert rules' e-mail actions have no
 * REST API (not in 2022-07-31 nor in any preview) and survive the deletion of the user.
 * The words name no person; approvers see the subject in the request itself.
 */
export function alertRuleEmailsStep(appName?: string): ManualStepSpec {
  const app = appName ? `the IoT Central application "${appName}"` : 'the IoT Central application';
  return {
    key: ALERT_RULE_EMAILS_STEP_KEY,
    title: 'Remove the e-mail address from IoT Central alert rules',
    instructions: [
      `Deleting the app user does not remove the subject's e-mail address from alert rules, and IoT Central has no API for rules, so do this by hand in ${app}:`,
      '1. Sign in to the application as an Administrator (or a role that may edit rules).',
      '2. Select Rules in the left pane.',
      '3. Open each rule in turn and scroll to its Actions.',
      "4. Open every E-mail action and remove the subject's e-mail address from its recipients; if it was the only recipient, delete the action.",
      '5. Save the rule, and repeat for every rule in the list.',
      '6. When no rule sends e-mail to that address any more, confirm this step here.',
    ].join('\n'),
  };
}
