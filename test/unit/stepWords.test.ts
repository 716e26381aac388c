import { discoveryText, failureText, manualStepInstructions, manualStepTitle, serviceLabel, stepSummaryText } from '../../src/words/stepWords';
import { type DiscoveryLine, type ManualStepSpec, SERVICE_NAMES, type ServiceFailure, type StepSummary } from '../../src/dsr';
import { wordsFor } from '../../src/i18n';

const en = wordsFor('en');
const HUB = 'contoso-lab-hub.azure-devices.net';

/** Every summary code, with the sentence the adapters wrote before summaries were typed (cards and records show these). */
const ENGLISH: Array<[StepSummary, string]> = [
  [{ code: 'step.filesExported', files: 1 }, '1 file exported'],
  [{ code: 'step.filesExported', files: 3 }, '3 files exported'],
  [{ code: 'step.nothingToDo', kind: 'erase' }, 'nothing to erase here'],
  [{ code: 'step.nothingToDo', kind: 'rectify' }, 'nothing to rectify here'],
  [{ code: 'step.failed' }, 'failed'],
  [{ code: 'step.nothingToPutBack' }, 'nothing this service can put back: restore by hand'],
  [{ code: 'serviceExport.alreadyRequested' }, 'export already requested'],
  [{ code: 'serviceExport.answerLost' }, 'export requested; its answer was lost, an approver may retry it'],
  [{ code: 'serviceExport.notRequested' }, 'export not requested'],
  [{ code: 'serviceExport.requested' }, 'export requested from the service; it follows as a second package'],
  [{ code: 'entra.corrected', fields: ['jobTitle', 'department'] }, 'corrected jobTitle, department'],
  [{ code: 'entra.noFieldToCorrect' }, 'no profile field to correct'],
  [{ code: 'entra.restricted' }, 'sign-in blocked and sign-in sessions revoked'],
  [{ code: 'entra.signInAllowed' }, 'sign-in allowed again (earlier sessions stay revoked)'],
  [{ code: 'entra.noLongerThere' }, 'account no longer there'],
  [{ code: 'entra.alreadyDeleted' }, 'account already deleted'],
  [{ code: 'entra.restored' }, 'account restored from deleted items'],
  [{ code: 'entra.softDeleted', graceDays: 14, alreadyGone: false, guest: false }, 'account soft-deleted (restorable for 14 days, until the purge)'],
  [{ code: 'entra.softDeleted', graceDays: 1, alreadyGone: false, guest: false }, 'account soft-deleted (restorable for 1 day, until the purge)'],
  [{ code: 'entra.softDeleted', graceDays: 14, alreadyGone: true, guest: false }, 'account already deleted'],
  [{ code: 'entra.softDeleted', graceDays: 30, alreadyGone: false, guest: true },
    "account soft-deleted (restorable for 30 days, until the purge); guest account: deleted in this tenant only, the guest's home tenant is not touched"],
  [{ code: 'entra.purged' }, 'account permanently deleted'],
  [{ code: 'entra.noAccountInPlan' }, 'no account in the plan'],
  [{ code: 'digitalTwins.deleted', twins: 3, relationships: 4 }, 'deleted 3 twins and 4 relationships'],
  [{ code: 'digitalTwins.deleted', twins: 1, relationships: 0 }, 'deleted 1 twin and 0 relationships'],
  [{ code: 'digitalTwins.linkedByObjectId' }, 'twins name the subject by object id: nothing to correct'],
  [{ code: 'digitalTwins.noCorrection' }, 'no correction to the field twins name the subject by'],
  [{ code: 'digitalTwins.corrected', twins: 1 }, 'corrected the linking property of 1 twin'],
  [{ code: 'iotCentral.erased', users: 1, devices: 1, devicesDeleted: false, alertRulesLeft: true },
    '1 app user deleted; 1 linked device kept, owner e-mail cleared; e-mail addresses in alert rules are left to the manual step'],
  [{ code: 'iotCentral.erased', users: 0, devices: 2, devicesDeleted: true, alertRulesLeft: false }, 'no app user found; 2 linked devices deleted'],
  [{ code: 'dps.removed', enrollments: 2, registrations: 2, planned: false, uncoveredHubs: [] }, 'removed 2 individual enrollments and 2 registration records; enrollment groups are kept'],
  [{ code: 'dps.removed', enrollments: 1, registrations: 1, planned: false, uncoveredHubs: [{ hub: HUB, devices: 1 }] },
    `removed 1 individual enrollment and 1 registration record; 1 device left in IoT hub ${HUB}, which this bot does not reach: see the manual step; enrollment groups are kept`],
  [{ code: 'dps.removed', enrollments: 2, registrations: 2, planned: true, uncoveredHubs: [] }, 'removed 2 individual enrollments and 2 registration records of the plan; enrollment groups are kept'],
  [{ code: 'dps.disabled', enrollments: 1, planned: false, uncoveredHubs: [{ hub: HUB, devices: 2 }] },
    `disabled 1 individual enrollment (kept, restorable by enabling them); 2 devices still provisioned in IoT hub ${HUB}, which this bot does not reach: see the manual step`],
  [{ code: 'dps.disabled', enrollments: 2, planned: true, uncoveredHubs: [] }, 'disabled 2 individual enrollments of the plan (kept, restorable by enabling them)'],
  [{ code: 'dps.enabled', enrollments: 1 }, 'enabled 1 individual enrollment again'],
  [{ code: 'iotHub.deleted', devices: 3, absent: 0, planned: false }, 'deleted 3 device identities with their twins'],
  [{ code: 'iotHub.deleted', devices: 1, absent: 1, planned: false }, 'deleted 1 device identity with its twin (1 already gone or no longer linked)'],
  [{ code: 'iotHub.deleted', devices: 1, absent: 0, planned: true }, 'deleted 1 planned device identity with its twin'],
  [{ code: 'iotHub.cleared', devices: 2, absent: 1, planned: false }, 'cleared the owner tag and personal twin fields of 2 devices (1 already clear or no longer linked)'],
  [{ code: 'iotHub.cleared', devices: 1, absent: 0, planned: true }, 'cleared the owner tag and personal twin fields of 1 planned device'],
  [{ code: 'botStore.erased', records: 2, conversations: 0, files: 0, exportSpaces: 0 }, '2 earlier request records pseudonymised; 0 conversation references and 0 files (export packages, register) removed'],
  [{ code: 'botStore.erased', records: 1, conversations: 1, files: 1, exportSpaces: 1 },
    '1 earlier request record pseudonymised; 1 conversation reference and 1 file (export packages, register) removed; 1 leftover system-logs export removed'],
  [{ code: 'roleAssignments.deleted', assignments: 2 }, '2 Azure role assignments deleted'],
  [{ code: 'roleAssignments.putBack', assignments: 1 }, '1 Azure role assignment put back'],
  [{ code: 'systemLogs.expungedWithAccount' }, 'nothing to change here: erasing the Entra account expunges its system-generated logs'],
];

const FAILURES: Array<[ServiceFailure, string]> = [
  [{ service: 'iotHub', kind: 'status', status: 503, code: 'ServiceUnavailable' }, 'IoT Hub answered 503 (ServiceUnavailable)'],
  [{ service: 'dps', kind: 'status', status: 500 }, 'Device Provisioning Service answered 500'],
  [{ service: 'entra', kind: 'timeout' }, 'Entra ID did not answer in time'],
  [{ service: 'roleAssignments', kind: 'unexpected', code: 'ECONNREFUSED' }, 'Azure role assignments failed unexpectedly (ECONNREFUSED)'],
];

/** Words only English would use in these sentences: none may be left in a translation. */
const ENGLISH_WORDS = /\b(deleted|removed|corrected|cleared|disabled|enabled|exported|account|already|nothing|device identit|twins?|enrollments?|records?|answered|failed|the|and|of)\b/i;

const TRANSLATIONS = ['de', 'fr', 'es'] as const;

describe('step words', () => {
  it.each(ENGLISH)('says %j in English exactly as the adapters used to', (summary, sentence) => {
    expect(stepSummaryText(en, summary)).toBe(sentence);
  });

  it('covers every summary code', () => {
    const codes = new Set(ENGLISH.map(([summary]) => summary.code));
    // One per member of the StepSummary union; a new code must get its English sentence here.
    expect(codes.size).toBe(32);
  });

  it.each(TRANSLATIONS)('renders every summary in %s, with no English left', (locale) => {
    const words = wordsFor(locale);
    const leftovers = ENGLISH.map(([summary, sentence]) => [summary.code, stepSummaryText(words, summary), sentence] as const)
      .filter(([, text, sentence]) => text === sentence || ENGLISH_WORDS.test(text.replaceAll(HUB, '')));
    expect(leftovers).toEqual([]);
  });

  it.each([
    ['de', ['0 Zwillinge und 0 Beziehungen gelöscht', '1 Zwilling und 1 Beziehung gelöscht', '2 Zwillinge und 2 Beziehungen gelöscht']],
    ['fr', ['0 jumeau supprimé et 0 relation supprimée', '1 jumeau supprimé et 1 relation supprimée', '2 jumeaux supprimés et 2 relations supprimées']],
    ['es', ['0 gemelos eliminados y 0 relaciones eliminadas', '1 gemelo eliminado y 1 relación eliminada', '2 gemelos eliminados y 2 relaciones eliminadas']],
    ['en', ['deleted 0 twins and 0 relationships', 'deleted 1 twin and 1 relationship', 'deleted 2 twins and 2 relationships']],
  ] as const)('%s: counts take the plural their language gives 0, 1 and 2', (locale, expected) => {
    const words = wordsFor(locale);
    expect([0, 1, 2].map((n) => stepSummaryText(words, { code: 'digitalTwins.deleted', twins: n, relationships: n }))).toEqual(expected);
  });

  it('gives the grace period of a soft delete in German days', () => {
    expect(stepSummaryText(wordsFor('de'), { code: 'entra.softDeleted', graceDays: 1, alreadyGone: false, guest: false }))
      .toBe('Konto vorläufig gelöscht (bis zur endgültigen Löschung 1 Tag lang wiederherstellbar)');
  });

  it.each(FAILURES)('describes the failure %j in English as before', (failure, sentence) => {
    expect(failureText(en, failure)).toBe(sentence);
  });

  it.each(TRANSLATIONS)('describes every failure kind in %s', (locale) => {
    const texts = FAILURES.map(([failure]) => failureText(wordsFor(locale), failure));
    expect(texts.filter((text) => ENGLISH_WORDS.test(text) || FAILURES.some(([, sentence]) => sentence === text))).toEqual([]);
    expect(texts[0]).toContain('503 (ServiceUnavailable)');
  });

  it('names the services as Microsoft names them in each language', () => {
    expect(SERVICE_NAMES.map((service) => serviceLabel(en, service))).toEqual([
      'Entra ID', 'Azure Digital Twins', 'IoT Central', 'Device Provisioning Service', 'IoT Hub', 'DSR Bot records', 'Azure role assignments', 'Entra system-generated logs',
    ]);
    expect(serviceLabel(wordsFor('de'), 'roleAssignments')).toBe('Azure-Rollenzuweisungen');
    expect(serviceLabel(wordsFor('fr'), 'roleAssignments')).toBe('attributions de rôles Azure');
    expect(serviceLabel(wordsFor('es'), 'roleAssignments')).toBe('asignaciones de roles de Azure');
    expect(serviceLabel(wordsFor('de'), 'systemLogs')).toBe('vom System generierte Entra-Protokolle');
  });

  it('shows a summary and a failure stored as English text before they were typed, as they are', () => {
    const legacy = 'deleted 3 twins and 4 relationships';
    expect(stepSummaryText(wordsFor('de'), legacy)).toBe(legacy);
    expect(failureText(wordsFor('fr'), 'IoT Hub answered 503 (ServiceUnavailable)')).toBe('IoT Hub answered 503 (ServiceUnavailable)');
  });
});

/** Every discovery line, with the words the adapters wrote before lines were typed. */
const FOUND: Array<[DiscoveryLine, string]> = [
  [{ code: 'entra.userProfile', guest: false }, '1 user profile'],
  [{ code: 'entra.userProfile', guest: true }, "1 guest account: deleted in this tenant only, the guest's home tenant is not touched"],
  [{ code: 'entra.related', relation: 'groupMemberships', count: 4 }, '4 group memberships'],
  [{ code: 'entra.related', relation: 'directoryRoles', count: 1 }, '1 directory role'],
  [{ code: 'entra.related', relation: 'managers', count: 1 }, '1 manager'],
  [{ code: 'entra.related', relation: 'directReports', count: 2 }, '2 direct reports'],
  [{ code: 'entra.related', relation: 'appRoleAssignments', count: 1 }, '1 app role assignment'],
  [{ code: 'entra.related', relation: 'authenticationMethods', count: 2 }, '2 authentication methods'],
  [{ code: 'entra.related', relation: 'licences', count: 1 }, '1 licence'],
  [{ code: 'digitalTwins.twins', count: 3 }, '3 twins'],
  [{ code: 'digitalTwins.relationships', count: 1 }, '1 relationship'],
  [{ code: 'iotCentral.users', count: 1, assignments: 2 }, '1 app user with 2 role assignments'],
  [{ code: 'iotCentral.linkedDevices', count: 1, deletedOnErasure: false }, '1 linked device (kept on erasure, owner e-mail cleared)'],
  [{ code: 'iotCentral.linkedDevices', count: 2, deletedOnErasure: true }, '2 linked devices (deleted on erasure)'],
  [{ code: 'dps.enrollments', count: 2 }, '2 individual enrollments'],
  [{ code: 'dps.registrations', count: 0 }, '0 registration records'],
  [{ code: 'iotHub.taggedDevices', count: 2 }, '2 devices tagged with the subject as owner'],
  [{ code: 'iotHub.dpsDevices', count: 1 }, '1 device provisioned for the subject through DPS'],
  [{ code: 'iotHub.erasure', clearsPersonalData: true }, 'erasure clears the owner tag and personal twin fields; the devices stay registered'],
  [{ code: 'iotHub.erasure', clearsPersonalData: false }, 'erasure deletes each device identity with its twin'],
  [{ code: 'botStore.earlierRequests', count: 3 }, '3 earlier requests'],
  [{ code: 'botStore.thisRequest' }, '1 request record (this one)'],
  [{ code: 'botStore.conversations', count: 0 }, '0 conversation references'],
  [{ code: 'botStore.files', count: 1 }, '1 file (export packages, register)'],
  [{ code: 'botStore.exportSpaces', count: 1 }, '1 leftover system-logs export'],
  [{ code: 'roleAssignments.found', count: 6 }, '6 Azure role assignments'],
  [{ code: 'roleAssignments.above', count: 2, manual: true }, "2 of them above the bot's scopes, to remove by hand"],
  [{ code: 'roleAssignments.above', count: 2, manual: false }, "2 of them above the bot's scopes"],
  [{ code: 'systemLogs.export' }, '1 export of system-generated logs (requested from Microsoft at execution, delivered when it ends)'],
];

const ABOVE: ManualStepSpec = {
  key: 'roleAssignments.aboveScopes',
  task: { code: 'roleAssignments.aboveScopes', kind: 'restrict', assignments: [{ scope: '/subscriptions/s1', roleName: 'Reader' }, { scope: '/subscriptions/s1/resourceGroups/rg', roleName: 'Contributor' }] },
};
const UNCOVERED: ManualStepSpec = { key: `dps.uncoveredHub.${HUB}`, task: { code: 'dps.uncoveredHub', kind: 'erase', hub: HUB, devices: 1, ownerTag: 'owner' } };
const ALERT_RULES: ManualStepSpec = { key: 'iotCentral.alertRuleEmails', task: { code: 'iotCentral.alertRuleEmails', appName: 'Contoso Facilities' } };

/** Every manual step, with the title and instructions the adapters wrote before steps were typed. */
const MANUAL: Array<[ManualStepSpec, string, string]> = [
  [ABOVE, "Remove 2 Azure role assignments above the bot's scopes", [
    'The subject holds 2 Azure role assignments above the scopes this bot may change, so it does not remove them:',
    '- Reader at /subscriptions/s1',
    '- Contributor at /subscriptions/s1/resourceGroups/rg',
    "In the Azure portal, open each scope, then Access control (IAM), Role assignments, and remove the subject's assignment of that role; " +
      "or run `az role assignment delete --assignee <the subject's object id (on the request's card details)> --role \"<role>\" --scope <scope>`.",
    'Note them: lifting the restriction puts back only what the bot removed, so these are given back by hand.',
    'Then confirm this step here.',
  ].join('\n')],
  [{ key: 'roleAssignments.aboveScopes', task: { code: 'roleAssignments.aboveScopes', kind: 'erase', assignments: [{ scope: '/subscriptions/s1', roleName: 'Reader' }] } },
    "Remove 1 Azure role assignment above the bot's scopes", [
      'The subject holds 1 Azure role assignment above the scopes this bot may change, so it does not remove it:',
      '- Reader at /subscriptions/s1',
      "In the Azure portal, open each scope, then Access control (IAM), Role assignments, and remove the subject's assignment of that role; " +
        "or run `az role assignment delete --assignee <the subject's object id (on the request's card details)> --role \"<role>\" --scope <scope>`.",
      'Then confirm this step here.',
    ].join('\n')],
  [UNCOVERED, `Delete 1 device from IoT hub ${HUB}`,
    `The Device Provisioning Service provisioned 1 device of the subject to the IoT hub ${HUB}, which this bot does not reach; erasing the DPS records leaves it there. ` +
    "In the hub (Azure portal, Devices, or its query editor), find the device twins whose tag 'owner' holds the subject's Entra object id or e-mail address (DPS copied the tag there), " +
    "or the device ids in the subject's DPS registration records before the erasure, delete those devices, then confirm here."],
  [{ key: `dps.uncoveredHub.${HUB}`, task: { code: 'dps.uncoveredHub', kind: 'restrict', hub: HUB, devices: 2, ownerTag: 'owner' } }, `Disable 2 devices in IoT hub ${HUB}`,
    `The Device Provisioning Service provisioned 2 devices of the subject to the IoT hub ${HUB}, which this bot does not reach; disabling the DPS records leaves them there. ` +
    "In the hub (Azure portal, Devices, or its query editor), find the device twins whose tag 'owner' holds the subject's Entra object id or e-mail address (DPS copied the tag there), " +
    "or the device ids in the subject's DPS registration records before the erasure, set those devices to disabled, then confirm here."],
  [ALERT_RULES, 'Remove the e-mail address from IoT Central alert rules', [
    "Deleting the app user does not remove the subject's e-mail address from alert rules, and IoT Central has no API for rules, so do this by hand in the IoT Central application \"Contoso Facilities\":",
    '1. Sign in to the application as an Administrator (or a role that may edit rules).',
    '2. Select Rules in the left pane.',
    '3. Open each rule in turn and scroll to its Actions.',
    "4. Open every E-mail action and remove the subject's e-mail address from its recipients; if it was the only recipient, delete the action.",
    '5. Save the rule, and repeat for every rule in the list.',
    '6. When no rule sends e-mail to that address any more, confirm this step here.',
  ].join('\n')],
];

/** Words of the discovery lines and manual steps that only English would use. */
const ENGLISH_FOUND_WORDS = /\b(user|profile|guest|membership|role assignments?|direct reports?|twins?|relationships?|linked|enrollments?|records?|devices?|tagged|erasure|earlier|requests?|files?|leftover|them|above|remove|delete|disable|sign in|select|open|save|confirm|the|and|of|with|holds|provisioned)\b/i;

describe('discovery and manual-step words', () => {
  it.each(FOUND)('says the line %j in English exactly as the adapters used to', (line, sentence) => {
    expect(discoveryText(en, line)).toBe(sentence);
  });

  it('covers every discovery code', () => {
    // One per member of the DiscoveryLine union; a new code must get its English line here.
    expect(new Set(FOUND.map(([line]) => line.code)).size).toBe(19);
  });

  it.each(TRANSLATIONS)('renders every discovery line in %s, with no English left', (locale) => {
    const words = wordsFor(locale);
    const leftovers = FOUND.map(([line, sentence]) => [line.code, discoveryText(words, line), sentence] as const)
      .filter(([, text, sentence]) => text === sentence || ENGLISH_FOUND_WORDS.test(text));
    expect(leftovers).toEqual([]);
  });

  it.each([
    ['en', ['0 twins', '1 twin', '2 twins'], ['0 individual enrollments', '1 individual enrollment', '2 individual enrollments']],
    ['de', ['0 Zwillinge', '1 Zwilling', '2 Zwillinge'], ['0 Einzelregistrierungen', '1 Einzelregistrierung', '2 Einzelregistrierungen']],
    ['fr', ['0 jumeau', '1 jumeau', '2 jumeaux'], ['0 inscription individuelle', '1 inscription individuelle', '2 inscriptions individuelles']],
    ['es', ['0 gemelos', '1 gemelo', '2 gemelos'], ['0 inscripciones individuales', '1 inscripción individual', '2 inscripciones individuales']],
  ] as const)('%s: discovery counts take the plural their language gives 0, 1 and 2', (locale, twins, enrollments) => {
    const words = wordsFor(locale);
    expect([0, 1, 2].map((count) => discoveryText(words, { code: 'digitalTwins.twins', count }))).toEqual(twins);
    expect([0, 1, 2].map((count) => discoveryText(words, { code: 'dps.enrollments', count }))).toEqual(enrollments);
  });

  it.each(MANUAL)('words the manual step %j in English exactly as the adapters used to', (spec, title, instructions) => {
    expect(manualStepTitle(en, spec)).toBe(title);
    expect(manualStepInstructions(en, spec)).toBe(instructions);
  });

  it.each(TRANSLATIONS)('words every manual step in %s, facts kept and no English left', (locale) => {
    const words = wordsFor(locale);
    for (const [spec, title, instructions] of MANUAL) {
      const text = `${manualStepTitle(words, spec)}\n${manualStepInstructions(words, spec)}`;
      expect(text).not.toContain(title);
      // The command and the facts stay as they are; everything around them is translated.
      const prose = text.replace(/`az role assignment delete[^`]*`/, '').replaceAll(HUB, '').replace(/Device Provisioning Service|Contoso Facilities|Reader|Contributor|\/subscriptions\/\S*/g, '');
      expect({ spec: spec.key, english: prose.match(ENGLISH_FOUND_WORDS)?.[0] }).toEqual({ spec: spec.key, english: undefined });
      expect(manualStepInstructions(words, spec).split('\n')).toHaveLength(instructions.split('\n').length);
    }
    expect(manualStepInstructions(words, ABOVE)).toContain('/subscriptions/s1/resourceGroups/rg');
    expect(manualStepInstructions(words, ABOVE)).toContain('az role assignment delete --assignee <');
    expect(manualStepTitle(words, UNCOVERED)).toContain(HUB);
    expect(manualStepInstructions(words, ALERT_RULES)).toContain('Contoso Facilities');
  });

  it('shows discovery lines and manual steps stored as English text before they were typed, as they are', () => {
    const de = wordsFor('de');
    expect(discoveryText(de, '3 twins')).toBe('3 twins');
    const legacy: ManualStepSpec = { key: 'iotCentral.alertRuleEmails', title: 'Remove the e-mail address from IoT Central alert rules', instructions: '1. Sign in.\n2. Select Rules.' };
    expect(manualStepTitle(de, legacy)).toBe(legacy.title);
    expect(manualStepInstructions(de, legacy)).toBe(legacy.instructions);
  });
});
