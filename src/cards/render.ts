/** An Adaptive Card as sent to Teams. */
export interface Card {
  type: 'AdaptiveCard';
  [key: string]: unknown;
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
