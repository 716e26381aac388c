import { failureText, serviceLabel, stepSummaryText } from '../../src/words/stepWords';
import { SERVICE_NAMES, type ServiceFailure, type StepSummary } from '../../src/dsr';
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
