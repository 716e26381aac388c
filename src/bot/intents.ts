import { RequestKind } from '../dsr';
import { ABOUT_SOMEONE_WORDS, CANCEL, DETAILS_WORDS, HELP, QUEUE, REGISTER_CHANNEL, REPORT, REQUEST_KINDS, STATUS, normaliseForIntents, saysAny } from './intentPatterns';

export type Intent =
  | { type: 'help' }
  /** `forAddress`: an approver filing for someone else, named by e-mail or UPN. */
  | { type: 'request'; kind: RequestKind; forAddress?: string }
  | { type: 'details'; requestId: string }
  /** `requestId`: one request (`status DSR-2026-0042`); without it, the person's own list. */
  | { type: 'status'; requestId?: string }
  /** Approvers: the open requests, soonest due first. */
  | { type: 'queue' }
  | { type: 'cancel'; requestId?: string }
  | { type: 'register'; role: 'approvals' | 'compliance' }
  /** The compliance channel: counts from the DSR register, and a link to it. */
  | { type: 'report' }
  | { type: 'unknown' };

/** Longer messages are cut before matching: what people ask fits in a sentence. */
const MAX_INTENT_TEXT = 500;

const REQUEST_ID = String.raw`dsr-\d{4}-\d{4,}`;
const REQUEST_ID_ANYWHERE = new RegExp(String.raw`\b${REQUEST_ID}\b`);
const anyWord = (words: Record<string, string[]>): string => [...new Set(Object.values(words).flat())].join('|');
const DETAILS = new RegExp(String.raw`^(?:${anyWord(DETAILS_WORDS)}) (${REQUEST_ID})\b`);
/** Addresses are matched after accents are dropped: Entra UPNs are ASCII, so that leaves them as they were. */
const ABOUT_SOMEONE = new RegExp(String.raw`\b(?:${anyWord(ABOUT_SOMEONE_WORDS)}) ([^\s@<>"]+@[^\s@<>"]+\.[a-z0-9-]+)\b`);

/**
 * What a chat message asks for, from plain words in English, German, French or Spanish,
 * whatever the person's locale: "could I get a copy of everything you hold about me?" and
 * "je veux une copie de mes données" are both an export.
 */
export function parseIntent(text: string): Intent {
  const said = normaliseForIntents(text.slice(0, MAX_INTENT_TEXT));
  const requestId = REQUEST_ID_ANYWHERE.exec(said)?.[0].toUpperCase();
  const role = REGISTER_CHANNEL.find(([, phrases]) => saysAny(phrases, said))?.[0];
  if (role) return { type: 'register', role };
  if (saysAny(REPORT, said)) return { type: 'report' };
  if (saysAny(CANCEL, said)) return requestId ? { type: 'cancel', requestId } : { type: 'cancel' };
  const details = DETAILS.exec(said);
  if (details) return { type: 'details', requestId: details[1].toUpperCase() };
  if (saysAny(QUEUE, said)) return { type: 'queue' };
  if (saysAny(STATUS, said)) return requestId ? { type: 'status', requestId } : { type: 'status' };
  const forAddress = ABOUT_SOMEONE.exec(said)?.[1];
  const kind = REQUEST_KINDS.find(([, phrases]) => saysAny(phrases, said))?.[0];
  if (kind) return forAddress ? { type: 'request', kind, forAddress } : { type: 'request', kind };
  if (saysAny(HELP, said)) return { type: 'help' };
  return { type: 'unknown' };
}
