import { expectMatchesSpec } from '../support/specContract';

describe('expectMatchesSpec', () => {
  it('accepts a body the spec describes', () => {
    expect(() => expectMatchesSpec('digitaltwins', 'POST', '/query', 200, { value: [{ $dtId: 'a' }], continuationToken: 'next' })).not.toThrow();
  });

  it('refuses a body of the wrong shape', () => {
    expect(() => expectMatchesSpec('digitaltwins', 'POST', '/query', 200, { value: 'not an array' })).toThrow(/value/);
    // The spec has the token as a string: an answer with `null` in it does not match.
    expect(() => expectMatchesSpec('digitaltwins', 'POST', '/query', 200, { value: [], continuationToken: null })).toThrow(/continuationToken/);
  });

  it('checks error answers against the default response', () => {
    expect(() => expectMatchesSpec('digitaltwins', 'GET', '/digitaltwins/{id}', 404, { error: { code: 'DigitalTwinNotFound', message: 'x' } })).not.toThrow();
    expect(() => expectMatchesSpec('digitaltwins', 'GET', '/digitaltwins/{id}', 404, { error: 'flat string' })).toThrow();
  });

  it('refuses operations and statuses the spec does not declare', () => {
    expect(() => expectMatchesSpec('dps', 'GET', '/rules', 200, [])).toThrow(/no GET \/rules/);
    expect(() => expectMatchesSpec('digitaltwins', 'DELETE', '/digitaltwins/{id}', 200, undefined)).toThrow(/declares no 200/);
  });

  it('refuses a body where the spec declares none', () => {
    expect(() => expectMatchesSpec('digitaltwins', 'DELETE', '/digitaltwins/{id}', 204, { unexpected: true })).toThrow(/declares no body/);
  });

  it('checks the type of declared headers', () => {
    expect(() => expectMatchesSpec('digitaltwins', 'POST', '/query', 200, { value: [] }, { 'query-charge': 'lots' })).toThrow(/query-charge/);
  });
});

describe('expectMatchesSpec on schemas with a property named "properties"', () => {
  it('loads the IoT Hub spec, whose Twin has one, and checks a twin', () => {
    const twin = { deviceId: 'd1', etag: 'AAAA', version: 2, tags: {}, properties: { desired: {}, reported: {} } };
    expect(() => expectMatchesSpec('iothub', 'GET', '/twins/{id}', 200, twin)).not.toThrow();
    expect(() => expectMatchesSpec('iothub', 'GET', '/twins/{id}', 200, { ...twin, version: 'two' })).toThrow(/version/);
  });
});
