import { withoutControlCharacters } from '../cards/render';
import { checkProfileCorrection, type CorrectionProblem, type CorrectionRules, isCorrectableProfileField, isRequestId, ManualStepOutcome, NewRequest, Regime, REGIMES, REQUEST_KINDS, RequestKind, ServiceName } from '../dsr';

/** What is wrong with a card's or a message's input: a code and its facts, worded by src/bot/outcomeWords.ts. */
export type InputProblem =
  | { code: 'kindMissing' | 'unknownRequestId' | 'unknownPlan' | 'unknownManualStep' | 'unknownPerson' | 'notAnAddress' | 'extendMonths' | 'regimeMissing' | 'noService' | 'unknownService' }
  | { code: 'reasonTooLong' | 'valueTooLong'; max: number }
  | CorrectionProblem;

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: InputProblem };

const problem = (found: InputProblem): { ok: false; problem: InputProblem } => ({ ok: false, problem: found });

const isObject = (data: unknown): data is Record<string, unknown> => typeof data === 'object' && data !== null && !Array.isArray(data);

/** Card data is input from a client like any other: every field is checked, nothing is trusted. */
export function parseKind(data: unknown): Parsed<RequestKind> {
  const kind = isObject(data) ? data.kind : undefined;
  return typeof kind === 'string' && (REQUEST_KINDS as readonly string[]).includes(kind)
    ? { ok: true, value: kind as RequestKind }
    : problem({ code: 'kindMissing' });
}

export function parseRequestId(data: unknown): Parsed<string> {
  const id = isObject(data) ? data.requestId : undefined;
  return typeof id === 'string' && isRequestId(id) ? { ok: true, value: id } : problem({ code: 'unknownRequestId' });
}

/** The plan hash an approval card showed (64 hex); absent on cards posted before plans existed. */
export function parsePlanHash(data: unknown): Parsed<string | undefined> {
  const hash = isObject(data) ? data.planHash : undefined;
  if (hash === undefined || hash === '') return { ok: true, value: undefined };
  return typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash)
    ? { ok: true, value: hash }
    : problem({ code: 'unknownPlan' });
}

const MANUAL_OUTCOMES: readonly ManualStepOutcome[] = ['done', 'not_applicable'];

/** A manual step's button: which step and what the approver says of it. */
export function parseManualStep(data: unknown): Parsed<{ key: string; outcome: ManualStepOutcome }> {
  const step = isObject(data) ? data.step : undefined;
  const outcome = isObject(data) ? data.outcome : undefined;
  if (typeof step !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(step) || !MANUAL_OUTCOMES.includes(outcome as ManualStepOutcome)) {
    return problem({ code: 'unknownManualStep' });
  }
  return { ok: true, value: { key: step, outcome: outcome as ManualStepOutcome } };
}

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Entra object id an approver's intake card names as subject; absent or empty: the clicker. */
export function parseOnBehalfOf(data: unknown): Parsed<string | undefined> {
  const value = isObject(data) ? data.onBehalfOf : undefined;
  if (value === undefined || value === '') return { ok: true, value: undefined };
  return typeof value === 'string' && OBJECT_ID.test(value)
    ? { ok: true, value: value.toLowerCase() }
    : problem({ code: 'unknownPerson' });
}

/**
 * An e-mail address or user principal name typed in chat, before it is looked up. Only what
 * addresses are made of passes: a `%`, `&`, `#`, `/` or `?` would change the directory query
 * or URL it is put into (the Graph client does not encode query values).
 */
const ADDRESS = /^[a-z0-9._+'-]{1,64}@[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/i;

export function parseAddress(text: string): Parsed<string> {
  return text.length <= 254 && ADDRESS.test(text)
    ? { ok: true, value: text }
    : problem({ code: 'notAnAddress' });
}

/** The most a reason may hold: the approval card's input allows as much. */
export const MAX_REASON_LENGTH = 500;

/**
 * An optional free-text reason from a card, as typed but without control characters, zero-width
 * characters or bidi overrides; no reason from blanks or other types. The card's own limit is
 * checked again, since a client need not respect it.
 */
export function parseReason(data: unknown): Parsed<string | undefined> {
  const reason = isObject(data) && typeof data.reason === 'string' ? withoutControlCharacters(data.reason) : '';
  if (!reason.trim()) return { ok: true, value: undefined };
  if (reason.length > MAX_REASON_LENGTH) return problem({ code: 'reasonTooLong', max: MAX_REASON_LENGTH });
  return { ok: true, value: reason };
}

/**
 * The months a GDPR extension asks for, from the approval card's choice (`extendMonths`); absent
 * on a CCPA card. Only whole months 1 or 2 pass: the domain checks them against what is left.
 */
export function parseExtendMonths(data: unknown): Parsed<number | undefined> {
  const value = isObject(data) ? data.extendMonths : undefined;
  if (value === undefined || value === '') return { ok: true, value: undefined };
  const months = typeof value === 'number' ? value : typeof value === 'string' && /^\d$/.test(value.trim()) ? Number(value.trim()) : NaN;
  return months === 1 || months === 2
    ? { ok: true, value: months }
    : problem({ code: 'extendMonths' });
}

/** The most a corrected value may hold, before the field's own rule. */
const MAX_VALUE_LENGTH = 256;

/** The intake card's submission, checked against the kinds, laws and services this bot offers. */
export function parseSubmission(data: unknown, offered: ServiceName[]): Parsed<NewRequest> {
  const kind = parseKind(data);
  if (!kind.ok) return kind;
  const d = data as Record<string, unknown>;
  if (typeof d.regime !== 'string' || !(REGIMES as readonly string[]).includes(d.regime)) {
    return problem({ code: 'regimeMissing' });
  }
  const services = typeof d.services === 'string' ? d.services.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (services.length === 0) return problem({ code: 'noService' });
  const unknown = services.filter((s) => !(offered as string[]).includes(s));
  if (unknown.length) return problem({ code: 'unknownService' });

  const request: NewRequest = { kind: kind.value, regime: d.regime as Regime, services: [...new Set(services)] as ServiceName[] };
  if (kind.value !== 'rectify') return { ok: true, value: request };

  if (typeof d.field !== 'string' || !isCorrectableProfileField(d.field)) {
    return problem({ code: 'unknownField' });
  }
  const value = typeof d.value === 'string' ? withoutControlCharacters(d.value).trim() : '';
  if (!value) return problem({ code: 'empty' });
  if (value.length > MAX_VALUE_LENGTH) return problem({ code: 'valueTooLong', max: MAX_VALUE_LENGTH });
  const corrected = parseCorrection(d.field, value);
  return corrected.ok ? { ok: true, value: { ...request, corrections: corrected.value } } : corrected;
}

/** One profile correction, checked by the domain's rule for its field; `rules` adds what is known of the subject. */
export function parseCorrection(field: string, value: string, rules: CorrectionRules = {}): Parsed<Record<string, string>> {
  const checked = checkProfileCorrection(field, value, rules);
  if (checked.ok) return { ok: true, value: { [checked.field]: checked.value } };
  return problem(checked.problem);
}
