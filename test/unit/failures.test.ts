import { describeFailure, errorCode, type ServiceFailure } from '../../src/dsr';
import { SUBJECT } from './sampleRequest';

/** What services put in their error text: the very values approvers must not see. */
const PERSONAL_MESSAGE = `User '${SUBJECT.email}' (${SUBJECT.displayName}) was not found`;

function withMessage(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(PERSONAL_MESSAGE), fields);
}

describe('describeFailure', () => {
  it.each<[string, unknown, ServiceFailure]>([
    ['an HTTP error with a code', withMessage({ statusCode: 404, code: 'Request_ResourceNotFound', name: 'RestError' }), { service: 'entra', kind: 'status', status: 404, code: 'Request_ResourceNotFound' }],
    ['an HTTP error without a code', withMessage({ statusCode: 503, name: 'RestError' }), { service: 'entra', kind: 'status', status: 503 }],
    ['an abort', withMessage({ name: 'AbortError' }), { service: 'entra', kind: 'timeout' }],
    ['a timeout', withMessage({ name: 'TimeoutError' }), { service: 'entra', kind: 'timeout' }],
    ['a socket timeout', withMessage({ code: 'ETIMEDOUT' }), { service: 'entra', kind: 'timeout' }],
    ['a network error', withMessage({ code: 'ECONNREFUSED' }), { service: 'entra', kind: 'unexpected', code: 'ECONNREFUSED' }],
    ['a plain Error', new Error(PERSONAL_MESSAGE), { service: 'entra', kind: 'unexpected', code: 'Error' }],
    ['a thrown string', PERSONAL_MESSAGE, { service: 'entra', kind: 'unexpected', code: 'error' }],
  ])('describes %s by service, status and code only', (_label, error, expected) => {
    const described = describeFailure('entra', error);
    expect(described).toEqual(expected);
    const stored = JSON.stringify(described);
    for (const value of [PERSONAL_MESSAGE, SUBJECT.email, SUBJECT.displayName, 'was not found']) expect(stored).not.toContain(value);
  });

  it('names the service it was asked about', () => {
    expect(describeFailure('dps', withMessage({ statusCode: 429 }))).toEqual({ service: 'dps', kind: 'status', status: 429 });
    expect(describeFailure('digitalTwins', withMessage({ statusCode: 500 }))).toEqual({ service: 'digitalTwins', kind: 'status', status: 500 });
  });

  it.each([null, undefined])('describes a rejection that carries no error object at all (%p)', (error) => {
    expect(describeFailure('iotHub', error)).toEqual({ service: 'iotHub', kind: 'unexpected', code: 'error' });
  });
});

describe('errorCode', () => {
  it('gives the kind of an error for log lines, without its message', () => {
    const code = errorCode(withMessage({ statusCode: 404, code: 'Request_ResourceNotFound', name: 'RestError' }));
    expect(code).toBe('RestError 404 Request_ResourceNotFound');
    expect(code).not.toContain(SUBJECT.email);
  });
});
