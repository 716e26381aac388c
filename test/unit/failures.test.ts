import { describeFailure, errorCode } from '../../src/dsr';
import { SUBJECT } from './sampleRequest';

/** What services put in their error text: the very values approvers must not see. */
const PERSONAL_MESSAGE = `User '${SUBJECT.email}' (${SUBJECT.displayName}) was not found`;

function withMessage(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(PERSONAL_MESSAGE), fields);
}

describe('describeFailure', () => {
  it.each<[string, unknown, string]>([
    ['an HTTP error with a code', withMessage({ statusCode: 404, code: 'Request_ResourceNotFound', name: 'RestError' }), 'Entra ID answered 404 (Request_ResourceNotFound)'],
    ['an HTTP error without a code', withMessage({ statusCode: 503, name: 'RestError' }), 'Entra ID answered 503'],
    ['an abort', withMessage({ name: 'AbortError' }), 'Entra ID did not answer in time'],
    ['a timeout', withMessage({ name: 'TimeoutError' }), 'Entra ID did not answer in time'],
    ['a socket timeout', withMessage({ code: 'ETIMEDOUT' }), 'Entra ID did not answer in time'],
    ['a network error', withMessage({ code: 'ECONNREFUSED' }), 'Entra ID failed unexpectedly (ECONNREFUSED)'],
    ['a plain Error', new Error(PERSONAL_MESSAGE), 'Entra ID failed unexpectedly (Error)'],
    ['a thrown string', PERSONAL_MESSAGE, 'Entra ID failed unexpectedly (error)'],
  ])('describes %s by service, status and code only', (_label, error, expected) => {
    const described = describeFailure('entra', error);
    expect(described).toBe(expected);
    for (const value of [PERSONAL_MESSAGE, SUBJECT.email, SUBJECT.displayName, 'was not found']) expect(described).not.toContain(value);
  });

  it('names the service in words', () => {
    expect(describeFailure('dps', withMessage({ statusCode: 429 }))).toBe('Device Provisioning Service answered 429');
    expect(describeFailure('digitalTwins', withMessage({ statusCode: 500 }))).toBe('Azure Digital Twins answered 500');
  });

  it.each([null, undefined])('describes a rejection that carries no error object at all (%p)', (error) => {
    expect(describeFailure('iotHub', error)).toBe('IoT Hub failed unexpectedly (error)');
  });
});

describe('errorCode', () => {
  it('gives the kind of an error for log lines, without its message', () => {
    const code = errorCode(withMessage({ statusCode: 404, code: 'Request_ResourceNotFound', name: 'RestError' }));
    expect(code).toBe('RestError 404 Request_ResourceNotFound');
    expect(code).not.toContain(SUBJECT.email);
  });
});
