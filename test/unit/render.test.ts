import { complianceLayout } from '../../src/cards/complianceLayouts';
import { statusLayout } from '../../src/cards/personLayouts';
import { plainText } from '../../src/cards/render';
import { textsOf } from './cardChecks';

/** Whether `text` still holds markdown link syntax that is not escaped. */
const hasLiveLink = (text: string) => /(?<!\\)\[[^\]]*(?<!\\)\]\(/.test(text);

describe('plainText', () => {
  it('leaves ordinary words alone', () => {
    expect(plainText('Legal hold until the audit ends')).toBe('Legal hold until the audit ends');
  });

  it('strips control characters', () => {
    expect(plainText('a\u0000b\u0007c\u0008d\u000be\u001bf\u007fg\u0085h\u009fi')).toBe('abcdefghi');
  });

  it.each([
    ['right-to-left override', '\u202E'],
    ['left-to-right override', '\u202D'],
    ['right-to-left embedding', '\u202B'],
    ['pop directional formatting', '\u202C'],
    ['right-to-left isolate', '\u2067'],
    ['first strong isolate', '\u2068'],
    ['pop directional isolate', '\u2069'],
    ['right-to-left mark', '\u200F'],
    ['zero-width space', '\u200B'],
    ['Arabic letter mark', '\u061C'],
    ['word joiner', '\u2060'],
    ['invisible separator', '\u2063'],
    ['zero-width no-break space', '\uFEFF'],
  ])('strips the %s', (_name, char) => {
    expect(plainText(`invoice${char}fdp`)).toBe('invoicefdp');
  });

  it('escapes markdown link syntax so no link survives', () => {
    const text = plainText('[x](http://evil)');
    expect(text).toBe('\\[x\\]\\(http://evil\\)');
    expect(hasLiveLink(text)).toBe(false);
    expect(hasLiveLink('[x](http://evil)')).toBe(true);
  });

  it('does not let a backslash the person typed undo the escaping', () => {
    const text = plainText('\\[x\\](http://evil)');
    expect(text).toBe('\\\\\\[x\\\\\\]\\(http://evil\\)');
    expect(hasLiveLink(text.replace(/\\\\/g, ''))).toBe(false);
  });

  it('escapes emphasis, headings, lists and angle-bracket links', () => {
    expect(plainText('**bold** _it_ # h - item <http://evil>')).toBe('\\*\\*bold\\*\\* \\_it\\_ \\# h \\- item \\<http://evil\\>');
  });

  it('escapes the braces of a template expression', () => {
    expect(plainText('${id}')).toBe('$\\{id\\}');
  });

  it('clips long text with an ellipsis before escaping', () => {
    expect(plainText('abcdefgh', 5)).toBe('abcd…');
    expect(plainText('x'.repeat(600))).toHaveLength(500);
  });
});

describe('card layouts', () => {
  const statusView = (text: string) => ({
    id: 'DSR-2026-0042',
    kindTitle: text,
    stateText: text,
    notice: text,
    noticeColor: 'Default' as const,
    facts: [{ title: text, value: text }],
    steps: [],
    cancellable: false,
    w: { services: 'Services', cancel: 'Cancel' },
  });

  it('puts the values on the card', () => {
    const texts = textsOf(statusLayout(statusView('Export my data')));
    expect(texts).toContain('DSR-2026-0042: Export my data');
  });

  it.each(['${id}', '${$root.id}', "${concat('a','b')}", '${count(facts)}', '${if(true, id, id)}'])('keeps %p in a value as literal text, not an expression', (text) => {
    const texts = textsOf(statusLayout(statusView(text)));
    expect(texts).toEqual([text, `DSR-2026-0042: ${text}`, text, text, text]);
  });

  it('keeps `$when` and `$data` in a value as text', () => {
    const card = complianceLayout({ headline: '{"$when": "${false}"}', facts: [{ title: '$data', value: '${facts}' }] });
    expect(textsOf(card)).toEqual(['{"$when": "${false}"}', '$data', '${facts}']);
  });
});
