/** Checks every rendered card must pass, shared by the card tests. */

interface ParseEvent {
  phase: number;
  event: number;
  message: string;
}

interface SerializationContext {
  readonly eventCount: number;
  getEventAt(index: number): ParseEvent;
}

interface AdaptiveCardsModule {
  AdaptiveCard: new () => { parse(json: unknown, context?: SerializationContext): void };
  SerializationContext: new () => SerializationContext;
}

// The package's main entry does not load from CommonJS; its UMD bundle does.
const AC = require('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/** Teams refuses messages over about 100 KB. */
export const TEAMS_MESSAGE_LIMIT_BYTES = 100 * 1024;

/** What the Adaptive Cards parser complained about: empty for a well-formed card. */
export function parseEvents(card: object): string[] {
  const context = new AC.SerializationContext();
  new AC.AdaptiveCard().parse(card, context);
  return Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
}

export function byteSize(card: object): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/** Every object in `card` whose `type` is `type`, however deep (actions, refresh, show cards). */
export function elementsOfType(card: unknown, type: string): Record<string, unknown>[] {
  if (Array.isArray(card)) return card.flatMap((c) => elementsOfType(c, type));
  if (typeof card !== 'object' || card === null) return [];
  const own = (card as Record<string, unknown>).type === type ? [card as Record<string, unknown>] : [];
  return [...own, ...Object.values(card).flatMap((v) => elementsOfType(v, type))];
}

/** All the text a card shows, for looking at what a user would read. */
export function textsOf(card: unknown): string[] {
  return [...elementsOfType(card, 'TextBlock').map((t) => String(t.text)), ...elementsOfType(card, 'FactSet').flatMap((f) => (f.facts as { title: string; value: string }[]).flatMap((x) => [x.title, x.value]))];
}
