import * as ACData from 'adaptivecards-templating';
import approval from './templates/approval.json';
import compliance from './templates/compliance.json';
import exportReady from './templates/exportReady.json';
import help from './templates/help.json';
import intake from './templates/intake.json';
import receipt from './templates/receipt.json';
import report from './templates/report.json';
import requestDetails from './templates/requestDetails.json';
import requestList from './templates/requestList.json';
import status from './templates/status.json';

/** An Adaptive Card as sent to Teams. */
export interface Card {
  type: 'AdaptiveCard';
  [key: string]: unknown;
}

export const TEMPLATES = { approval, compliance, exportReady, help, intake, receipt, report, requestDetails, requestList, status } as const;
export type TemplateName = keyof typeof TEMPLATES;

/** Binds `data` into a template. Bound values are never expanded again, so `${...}` in user text stays text. */
export function renderCard(name: TemplateName, data: object): Card {
  return new ACData.Template(TEMPLATES[name]).expand({ $root: data }) as Card;
}

/** Text without control characters, zero-width characters and bidi overrides (which can disguise what text says). */
export function withoutControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '');
}

/**
 * Text a person typed, made safe for a TextBlock: control characters removed, and the
 * characters Teams' markdown acts on escaped so nobody can plant links or formatting.
 */
export function plainText(text: string, maxLength = 500): string {
  const cleaned = withoutControlCharacters(text).trim();
  const clipped = cleaned.length > maxLength ? `${cleaned.slice(0, maxLength - 1)}…` : cleaned;
  return clipped.replace(/([\\`*_{}[\]()#+\-.!<>|~])/g, '\\$1');
}
