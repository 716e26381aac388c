/**
 * The Entra profile fields a person may have corrected, and the check of a corrected value: pure,
 * so the bot answers a bad value before anything is stored and the adapter writes only good ones.
 * Problems are codes with their facts; the bot words them.
 */

/** Every profile field Graph lets an administrator write that describes the person (`PATCH /users/{id}`). */
export const CORRECTABLE_PROFILE_FIELDS = [
  'displayName', 'givenName', 'surname', 'jobTitle', 'department', 'officeLocation', 'companyName',
  'employeeId', 'employeeType', 'mobilePhone', 'businessPhones', 'streetAddress', 'city', 'state',
  'postalCode', 'country', 'usageLocation', 'preferredLanguage', 'mail', 'userPrincipalName',
] as const;

export type CorrectableProfileField = (typeof CORRECTABLE_PROFILE_FIELDS)[number];

/** Why a corrected value cannot be taken. */
export type CorrectionProblem =
  | { code: 'unknownField' }
  | { code: 'empty' }
  | { code: 'tooLong'; max: number }
  | { code: 'notAPhoneNumber' }
  | { code: 'notACountryCode' }
  | { code: 'notALanguageTag' }
  | { code: 'notAnEmailAddress' }
  | { code: 'domainNotAllowed'; domains: readonly string[] };

export type CorrectionCheck =
  | { ok: true; field: CorrectableProfileField; value: string }
  | { ok: false; problem: CorrectionProblem };

/** What a check needs to know beyond the value: the domains a new userPrincipalName may use, once the subject is known. */
export interface CorrectionRules {
  /** The tenant's verified domains the subject's account may move within; unset: not checked yet. */
  readonly allowedDomains?: readonly string[];
}

/** Lengths the bot accepts, within what the Graph user resource takes. */
const MAX_LENGTH: Record<CorrectableProfileField, number> = {
  displayName: 256, givenName: 64, surname: 64, jobTitle: 128, department: 64, officeLocation: 128, companyName: 64,
  employeeId: 16, employeeType: 64, mobilePhone: 64, businessPhones: 64, streetAddress: 1024, city: 128, state: 128,
  postalCode: 40, country: 128, usageLocation: 2, preferredLanguage: 10, mail: 254, userPrincipalName: 113,
};

/** Digits with the separators people type: `+353 1 555 0101`, `(206) 555-0100`; at least five digits. */
const PHONE = /^\+?[0-9 ().-]+$/;
/** ISO 3166-1 alpha-2, as Graph's usageLocation. */
const COUNTRY_CODE = /^[A-Z]{2}$/;
/** ISO 639-1 language, optionally with an ISO 3166 region: `en`, `en-US`. */
const LANGUAGE_TAG = /^[a-z]{2}(-[A-Z]{2})?$/;
/** One address: a local part and a dotted domain, no spaces. */
const EMAIL = /^[^\s@"<>()[\],;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export function isCorrectableProfileField(field: string): field is CorrectableProfileField {
  return (CORRECTABLE_PROFILE_FIELDS as readonly string[]).includes(field);
}

/** Checks one corrected value for its field; the value comes back trimmed (a country code upper-cased). */
export function checkProfileCorrection(field: string, raw: string, rules: CorrectionRules = {}): CorrectionCheck {
  if (!isCorrectableProfileField(field)) return { ok: false, problem: { code: 'unknownField' } };
  const value = field === 'usageLocation' ? raw.trim().toUpperCase() : raw.trim();
  if (value === '') return { ok: false, problem: { code: 'empty' } };
  if (value.length > MAX_LENGTH[field]) return { ok: false, problem: { code: 'tooLong', max: MAX_LENGTH[field] } };
  const problem = formatProblem(field, value, rules);
  return problem ? { ok: false, problem } : { ok: true, field, value };
}

function formatProblem(field: CorrectableProfileField, value: string, rules: CorrectionRules): CorrectionProblem | undefined {
  switch (field) {
    case 'mobilePhone':
    case 'businessPhones':
      return PHONE.test(value) && value.replace(/\D/g, '').length >= 5 ? undefined : { code: 'notAPhoneNumber' };
    case 'usageLocation':
      return COUNTRY_CODE.test(value) ? undefined : { code: 'notACountryCode' };
    case 'preferredLanguage':
      return LANGUAGE_TAG.test(value) ? undefined : { code: 'notALanguageTag' };
    case 'mail':
      return EMAIL.test(value) ? undefined : { code: 'notAnEmailAddress' };
    case 'userPrincipalName': {
      if (!EMAIL.test(value)) return { code: 'notAnEmailAddress' };
      const domain = value.slice(value.lastIndexOf('@') + 1).toLowerCase();
      const domains = rules.allowedDomains?.map((d) => d.toLowerCase());
      return domains && !domains.includes(domain) ? { code: 'domainNotAllowed', domains } : undefined;
    }
    default:
      return undefined;
  }
}
