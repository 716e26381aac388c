import { Parsed, parseAddress, parseCorrection, parseExtendMonths, parseKind, parseManualStep, parseReason, parseRequestId, parseSubmission } from '../../src/bot/cardInputs';
import { ServiceName } from '../../src/dsr';
import { inputWords } from '../../src/bot/outcomeWords';
import { wordsFor } from '../../src/i18n';
import { SUBJECT } from './sampleRequest';

const OFFERED: ServiceName[] = ['entra', 'botStore', 'iotHub'];

/** The problem as an English speaker reads it: the code and its wording from the catalog. */
function problemOf<T>(parsed: Parsed<T>): string {
  if (parsed.ok) throw new Error(`expected a problem, got ${JSON.stringify(parsed.value)}`);
  return inputWords(wordsFor('en'), parsed.problem);
}

function valueOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(`expected a value, got the problem: ${parsed.problem.code}`);
  return parsed.value;
}

const rectify = (fields: Record<string, unknown>) => parseSubmission({ kind: 'rectify', regime: 'GDPR', services: 'entra', field: 'jobTitle', value: 'Senior Engineer', ...fields }, OFFERED);

describe('the intake card submission', () => {
  it.each(['access', 'export', 'restrict', 'erase'] as const)('takes a valid %s request', (kind) => {
    expect(valueOf(parseSubmission({ kind, regime: 'GDPR', services: 'entra,botStore' }, OFFERED))).toEqual({ kind, regime: 'GDPR', services: ['entra', 'botStore'] });
  });

  it('takes a valid rectification with its correction', () => {
    expect(valueOf(rectify({ regime: 'CCPA' }))).toEqual({ kind: 'rectify', regime: 'CCPA', services: ['entra'], corrections: { jobTitle: 'Senior Engineer' } });
  });

  it('trims the ticked services and counts each once', () => {
    expect(valueOf(parseSubmission({ kind: 'export', regime: 'GDPR', services: ' entra , botStore,entra,, ' }, OFFERED)).services).toEqual(['entra', 'botStore']);
  });

  it('carries nothing but the checked fields: a forged subject, requester or correction is dropped', () => {
    const value = valueOf(
      parseSubmission({ kind: 'export', regime: 'GDPR', services: 'entra', subject: SUBJECT, requester: { aadObjectId: 'x' }, corrections: { displayName: 'Eve' }, field: 'displayName', value: 'Eve' }, OFFERED),
    );
    expect(value).toEqual({ kind: 'export', regime: 'GDPR', services: ['entra'] });
  });

  it.each<[string, unknown]>([
    ['no data', undefined],
    ['null', null],
    ['a string', 'export'],
    ['an array', [{ kind: 'export', regime: 'GDPR', services: 'entra' }]],
    ['a number', 42],
  ])('refuses %s as a submission', (_label, data) => {
    expect(problemOf(parseSubmission(data, OFFERED))).toMatch(/which kind of request/);
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['unknown', 'delete'],
    ['a number', 1],
    ['an array', ['export']],
    ['null', null],
    ['an object', { toString: 'export' }],
  ])('refuses a kind that is %s', (_label, kind) => {
    expect(problemOf(parseSubmission({ kind, regime: 'GDPR', services: 'entra' }, OFFERED))).toMatch(/which kind of request/);
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['unknown', 'LGPD'],
    ['lower-case', 'gdpr'],
    ['a number', 1],
    ['an array', ['GDPR']],
    ['null', null],
    ['an object', { value: 'GDPR' }],
  ])('refuses a law that is %s', (_label, regime) => {
    expect(problemOf(parseSubmission({ kind: 'export', regime, services: 'entra' }, OFFERED))).toMatch(/GDPR or CCPA/);
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['empty', ''],
    ['only commas', ' , ,'],
    ['a number', 3],
    ['an array', ['entra']],
    ['null', null],
    ['an object', { entra: true }],
  ])('refuses services that are %s', (_label, services) => {
    expect(problemOf(parseSubmission({ kind: 'export', regime: 'GDPR', services }, OFFERED))).toMatch(/at least one service/);
  });

  it.each(['payroll', 'entra,payroll', 'iotCentral'])('refuses a service the bot does not offer (%p)', (services) => {
    expect(problemOf(parseSubmission({ kind: 'export', regime: 'GDPR', services }, OFFERED))).toMatch(/service I do not reach/);
  });
});

describe('a rectification', () => {
  it.each<[string, unknown]>([
    ['missing', undefined],
    ['not a profile field', 'accountEnabled'],
    ['a prototype key', '__proto__'],
    ['a number', 3],
    ['an array', ['jobTitle']],
    ['null', null],
  ])('refuses a field that is %s', (_label, field) => {
    expect(problemOf(rectify({ field }))).toMatch(/which detail is wrong/);
  });

  it.each(['displayName', 'jobTitle', 'department', 'officeLocation', 'companyName', 'city', 'country'])('takes a correction of %s', (field) => {
    expect(valueOf(rectify({ field })).corrections).toEqual({ [field]: 'Senior Engineer' });
  });

  it.each<[string, string, RegExp]>([
    ['mobilePhone', 'Senior Engineer', /not a phone number/],
    ['usageLocation', 'I1', /two-letter country code/],
    ['preferredLanguage', 'English', /code such as en or en-US/],
    ['mail', 'alex at contoso', /not an e-mail address/],
    ['jobTitle', 'a'.repeat(129), /at most 128 characters/],
  ])('answers a bad %s clearly, filing nothing', (field, value, answer) => {
    expect(problemOf(rectify({ field, value }))).toMatch(answer);
  });

  it('checks a new sign-in name against the domains it may use', () => {
    const refused = parseCorrection('userPrincipalName', 'alex.w@fabrikam.test', { allowedDomains: ['contoso.test'] });
    expect(refused).toEqual({ ok: false, problem: { code: 'domainNotAllowed', domains: ['contoso.test'] } });
    expect(problemOf(refused)).toBe('The sign-in name has to end in @contoso.test. Nothing was filed.');
    expect(parseCorrection('userPrincipalName', 'alex.w@contoso.test', { allowedDomains: ['contoso.test'] }))
      .toEqual({ ok: true, value: { userPrincipalName: 'alex.w@contoso.test' } });
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['only control characters', '\u0000\u0007\u001b\u007f'],
    ['a number', 42],
    ['an array', ['Senior Engineer']],
    ['null', null],
    ['an object', { text: 'Senior Engineer' }],
  ])('refuses a value that is %s', (_label, value) => {
    expect(problemOf(rectify({ value }))).toMatch(/type the correct value/);
  });

  it('takes a value of 256 characters and refuses one of 257', () => {
    expect(valueOf(rectify({ field: 'displayName', value: 'a'.repeat(256) })).corrections).toEqual({ displayName: 'a'.repeat(256) });
    expect(problemOf(rectify({ field: 'displayName', value: 'a'.repeat(257) }))).toMatch(/at most 256 characters/);
  });

  it('strips control characters before it measures and keeps the value', () => {
    expect(valueOf(rectify({ value: '\u0007Senior\u0000 Engi\u001bneer\r\n\u0085' })).corrections).toEqual({ jobTitle: 'Senior Engineer' });
    expect(valueOf(rectify({ field: 'displayName', value: `${'a'.repeat(256)}\u0000\u0000` })).corrections).toEqual({ displayName: 'a'.repeat(256) });
  });
});

describe('the request id on a card button', () => {
  it('takes a well-formed id', () => {
    expect(parseRequestId({ requestId: 'DSR-2026-0042' })).toEqual({ ok: true, value: 'DSR-2026-0042' });
  });

  it.each<[string, unknown]>([
    ['no data', undefined],
    ['null data', null],
    ['a missing id', {}],
    ['a number', { requestId: 42 }],
    ['an array', { requestId: ['DSR-2026-0042'] }],
    ['null', { requestId: null }],
    ['an object', { requestId: { id: 'DSR-2026-0042' } }],
    ['lower case', { requestId: 'dsr-2026-0042' }],
    ['a short number', { requestId: 'DSR-2026-42' }],
    ['a two-digit year', { requestId: 'DSR-26-0042' }],
    ['surrounding space', { requestId: ' DSR-2026-0042 ' }],
    ['a Digital Twins query injection', { requestId: "x' OR 1=1 OR T.$dtId != '" }],
    ['an injection after a valid id', { requestId: "DSR-2026-0042' OR 1=1 OR T.$dtId != '" }],
    ['an OData filter injection', { requestId: "DSR-2026-0042' or PartitionKey ne '" }],
    ['a path', { requestId: '../DSR-2026-0042' }],
  ])('refuses %s', (_label, data) => {
    expect(problemOf(parseRequestId(data))).toMatch(/does not name a request/);
  });
});

describe('the kind and reason on a card', () => {
  it('reads the kind of a start button', () => {
    expect(parseKind({ kind: 'erase' })).toEqual({ ok: true, value: 'erase' });
    expect(parseKind({ kind: 'constructor' }).ok).toBe(false);
  });

  it('reads a reason as typed, and no reason from blanks or other types', () => {
    expect(valueOf(parseReason({ reason: ' Legal hold. ' }))).toBe(' Legal hold. ');
    expect(valueOf(parseReason({ reason: '[x](http://evil) ${id} <at>x</at>' }))).toBe('[x](http://evil) ${id} <at>x</at>');
    for (const data of [{ reason: '   ' }, { reason: '\u0000\u202E\u200B' }, { reason: 5 }, { reason: ['x'] }, { reason: null }, {}, null, 'reason']) {
      expect(valueOf(parseReason(data))).toBeUndefined();
    }
  });

  it('strips control characters and bidi overrides from a reason', () => {
    expect(valueOf(parseReason({ reason: 'Legal\u0000 hold\u202E until\u0007 May' }))).toBe('Legal hold until May');
  });

  it('takes a reason of 500 characters and refuses a longer one, as the card does', () => {
    expect(valueOf(parseReason({ reason: 'a'.repeat(500) }))).toHaveLength(500);
    expect(valueOf(parseReason({ reason: `${'a'.repeat(500)}\u0000\u202E` }))).toHaveLength(500);
    expect(problemOf(parseReason({ reason: 'a'.repeat(501) }))).toMatch(/at most 500 characters/);
    expect(problemOf(parseReason({ reason: 'a'.repeat(20_000) }))).toMatch(/at most 500 characters/);
  });
});

describe('parseManualStep', () => {
  it('takes a step key and one of the two outcomes', () => {
    expect(parseManualStep({ requestId: 'DSR-2026-0042', step: 'iotCentral.alertRuleEmails', outcome: 'done' })).toEqual({ ok: true, value: { key: 'iotCentral.alertRuleEmails', outcome: 'done' } });
    expect(parseManualStep({ step: 'dps.devicesInOtherHubs', outcome: 'not_applicable' })).toEqual({ ok: true, value: { key: 'dps.devicesInOtherHubs', outcome: 'not_applicable' } });
  });

  it.each([
    [undefined],
    [{ step: 'iotCentral.alertRuleEmails' }],
    [{ step: 'iotCentral.alertRuleEmails', outcome: 'skipped' }],
    [{ step: '<script>', outcome: 'done' }],
    [{ step: 'a'.repeat(101), outcome: 'done' }],
    [{ step: ['iotCentral.alertRuleEmails'], outcome: 'done' }],
  ])('refuses %j with a clear answer', (data) => {
    expect(parseManualStep(data)).toEqual({ ok: false, problem: { code: 'unknownManualStep' } });
    expect(problemOf(parseManualStep(data))).toContain('manual step');
  });
});

describe('parseAddress', () => {
  it.each(['megan.bowen@contoso.example', "d.o'neill@contoso.example", 'a_b+dsr-1@mail.contoso.co.uk'])('takes %p', (address) => {
    expect(parseAddress(address)).toEqual({ ok: true, value: address });
  });

  it.each([
    ['a percent-encoded quote', 'x%27%20or%20true%20or%20mail%20eq%20%27@contoso.example'],
    ['a second query parameter', 'x&$filter=true&x=@contoso.example'],
    ['a fragment', 'x#@contoso.example'],
    ['a path', 'x/../../groups?$top=1@contoso.example'],
    ['a template expression', '${id}@contoso.example'],
    ['no domain', 'megan@'],
    ['no @', 'megan.bowen'],
    ['two @', 'a@b@contoso.example'],
    ['a very long local part', `${'a'.repeat(65)}@contoso.example`],
  ])('refuses %s', (_label, address) => {
    expect(problemOf(parseAddress(address))).toMatch(/does not look like an e-mail address/);
  });
});

describe('parseExtendMonths', () => {
  it.each([['1', 1], ['2', 2], [' 2 ', 2], [1, 1], [2, 2]])('takes %p as %p months', (value, months) => {
    expect(valueOf(parseExtendMonths({ requestId: 'DSR-2026-0042', extendMonths: value }))).toBe(months);
  });

  it.each([{}, { extendMonths: '' }, null, 'x'])('takes no choice (a CCPA card) from %p', (data) => {
    expect(valueOf(parseExtendMonths(data))).toBeUndefined();
  });

  it.each(['0', '3', '12', '1.5', 'one', '-1', 1.5, true, ['1'], { months: 1 }])('refuses %p', (value) => {
    expect(problemOf(parseExtendMonths({ extendMonths: value }))).toMatch(/1 or 2 months/);
  });
});
