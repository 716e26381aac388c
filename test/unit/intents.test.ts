import { parseIntent } from '../../src/bot/intents';
import { RequestKind } from '../../src/dsr';

describe('parseIntent', () => {
  it.each(['help', 'HELP', '  Help  ', 'help me', 'hi', 'Hello', 'hey there', 'menu', 'start', '?', 'What can you do?'])('takes %p as a call for help', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'help' });
  });

  it.each<[string, RequestKind]>([
    ['export my data', 'export'],
    ['Export my data', 'export'],
    ['could I get a copy of everything you hold about me?', 'export'],
    ['I would like to download my data', 'export'],
    ['delete my data', 'erase'],
    ['Please erase me', 'erase'],
    ['I want to be forgotten', 'erase'],
    ['right to be forgotten', 'erase'],
    ['I invoke my right to erasure', 'erase'],
    ['what data do you hold about me', 'access'],
    ['What information do you have on me?', 'access'],
    ['my job title is wrong', 'rectify'],
    ['please correct my department', 'rectify'],
    ['stop processing my data', 'restrict'],
    ['stop using my data', 'restrict'],
    ['I want to restrict processing', 'restrict'],
  ])('takes %p as a request to %s', (text, kind) => {
    expect(parseIntent(text)).toEqual({ type: 'request', kind });
  });

  it.each(['status DSR-2026-0042', 'Status dsr-2026-0042?', 'where is DSR-2026-0042'])('takes %p as a status question about one request', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'status', requestId: 'DSR-2026-0042' });
  });

  it.each(['status', 'Status', 'where is my request?', 'show my requests'])('takes %p as a status question', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'status' });
  });

  it.each(['queue', 'Queue', 'the queue', 'show the queue', 'approval queue', 'open requests', 'queue.'])('takes %p as an approver asking for the queue', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'queue' });
  });

  it.each(['where am I in the queue for my export?', 'delete my data from the queue system'])('does not take %p for the queue', (text) => {
    expect(parseIntent(text).type).not.toBe('queue');
  });

  it('reads the request id of a cancellation, upper-cased', () => {
    expect(parseIntent('cancel DSR-2026-0042')).toEqual({ type: 'cancel', requestId: 'DSR-2026-0042' });
    expect(parseIntent('please cancel dsr-2026-0042 thanks')).toEqual({ type: 'cancel', requestId: 'DSR-2026-0042' });
    expect(parseIntent('withdraw DSR-2026-12345')).toEqual({ type: 'cancel', requestId: 'DSR-2026-12345' });
  });

  it('takes a cancellation without an id as a cancellation that still needs one', () => {
    expect(parseIntent('cancel')).toEqual({ type: 'cancel' });
    expect(parseIntent('cancel DSR-26-42')).toEqual({ type: 'cancel' });
  });

  it('takes a cancellation over the words of the request it cancels', () => {
    expect(parseIntent('cancel my delete request DSR-2026-0042')).toEqual({ type: 'cancel', requestId: 'DSR-2026-0042' });
  });

  it.each<[string, 'approvals' | 'compliance']>([
    ['register approvals', 'approvals'],
    ['Register Compliance', 'compliance'],
    ['  register   approvals  ', 'approvals'],
  ])('takes %p as registering a channel for %s', (text, role) => {
    expect(parseIntent(text)).toEqual({ type: 'register', role });
  });

  it.each(['', '   ', 'the weather is nice today', 'register', 'register payroll', 'asdfgh'])('does not guess at %p', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'unknown' });
  });

  it('parses a 20,000-character message from its start without throwing', () => {
    const text = `export my data ${'and some more words '.repeat(1000)} delete everything`;
    expect(text.length).toBeGreaterThan(20_000);
    expect(parseIntent(text)).toEqual({ type: 'request', kind: 'export' });
  });

  it('ignores a cancellation buried past the start of a very long message', () => {
    expect(parseIntent(`status ${'x'.repeat(20_000)} cancel DSR-2026-0042`)).toEqual({ type: 'status' });
  });
});
