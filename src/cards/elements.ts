import { Card } from './render';
import { Fact, NoticeData, ServiceFact } from './requestFacts';

/**
 * The pieces the cards' layouts are made of (Adaptive Cards schema 1.5). Values go in as plain
 * strings and come out as plain JSON: nothing is parsed or expanded, so `${...}` or markdown in a
 * value stays exactly the text the caller made it (user text goes through `plainText` first).
 */

export type CardElement = { type: string; [key: string]: unknown };
export type CardAction = { type: 'Action.Execute' | 'Action.OpenUrl'; title: string; [key: string]: unknown };

export function adaptiveCard(parts: { refresh?: { action: CardAction }; body: CardElement[]; actions?: CardAction[] }): Card {
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', ...parts };
}

/** `items` when `condition` holds, else none: for spreading optional elements into a list. */
export const when = <T>(condition: boolean, ...items: T[]): T[] => (condition ? items : []);

type TextStyle = { weight?: 'Bolder'; size?: 'Medium'; isSubtle?: boolean; color?: string; spacing?: 'None' };

/** A wrapping TextBlock: every text on the cards wraps. */
export const textBlock = (text: string, style: TextStyle = {}): CardElement => ({ type: 'TextBlock', text, wrap: true, ...style });
export const cardTitle = (text: string) => textBlock(text, { weight: 'Bolder', size: 'Medium' });
export const heading = (text: string) => textBlock(text, { weight: 'Bolder' });
export const note = (text: string) => textBlock(text, { isSubtle: true });

/** A FactSet holding exactly the title and value of each fact. */
export const factSet = (facts: readonly Fact[]): CardElement => ({ type: 'FactSet', facts: facts.map(({ title, value }) => ({ title, value })) });

export function execute(title: string, verb: string, data?: Record<string, string>, style?: 'positive' | 'destructive'): CardAction {
  return { type: 'Action.Execute', title, verb, ...(data && { data }), ...(style && { style }) };
}

export const openUrl = (title: string, url: string): CardAction => ({ type: 'Action.OpenUrl', title, url });

/** A line over a card, when there is one. */
export const noticeBlock = (view: NoticeData) => when(view.notice !== '', textBlock(view.notice, { color: view.noticeColor, weight: 'Bolder' }));

/** The services' progress as facts: service name, where it stands. */
export const serviceFactSet = (services: readonly ServiceFact[]) => factSet(services.map((s) => ({ title: s.label, value: s.text })));
