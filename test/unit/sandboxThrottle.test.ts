import { SandboxThrottle, SINGLE_CLASS_PROFILE, throttleProfileFor } from '../../src/sandbox/common/throttleLimiter';

/** Time for the sandbox's buckets, moved by hand. */
function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

describe('SandboxThrottle', () => {
  it('enforces nothing until configured', () => {
    const throttle = new SandboxThrottle(throttleProfileFor('digitalTwins'));
    for (let i = 0; i < 10_000; i++) expect(throttle.check('POST', '/query', {})).toBeUndefined();
    expect(throttle.describe()).toEqual({ enabled: false, scale: 1, speedUp: 1, limits: {} });
  });

  it('lets a window\'s worth through, then refuses with the seconds until a token is back', () => {
    const time = clock();
    const throttle = new SandboxThrottle(throttleProfileFor('digitalTwins'), time.now);
    // Digital Twins' 500 queries/s at scale 0.01: 5 a second, a burst of 5.
    expect(throttle.configure({ scale: 0.01 })).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(throttle.check('POST', '/query', {})).toBeUndefined();
    expect(throttle.check('POST', '/query', {})).toEqual({ operationClass: 'query', retryAfterSeconds: 1 });
    // A refused request takes no token: one comes back every 200 ms.
    time.advance(199);
    expect(throttle.check('POST', '/query', {})).toBeDefined();
    time.advance(1);
    expect(throttle.check('POST', '/query', {})).toBeUndefined();
    // Reads have their own limit.
    expect(throttle.check('GET', '/digitaltwins/{id}', { id: 'desk' })).toBeUndefined();
  });

  it('rounds Retry-After up to whole seconds, as the services send it', () => {
    const time = clock();
    const throttle = new SandboxThrottle(throttleProfileFor('iotHub'), time.now);
    throttle.configure({});
    for (let i = 0; i < 20; i++) expect(throttle.check('POST', '/devices/query', {})).toBeUndefined();
    // 20 queries a minute: the next token is 3 s away.
    expect(throttle.check('POST', '/devices/query', {})).toEqual({ operationClass: 'query', retryAfterSeconds: 3 });
    expect(throttle.check('GET', '/twins/{id}', { id: 'd' })).toBeUndefined();
    expect(throttle.check('GET', '/devices/{id}', { id: 'd' })).toBeUndefined();
  });

  it('limits each twin on its own for writes, besides the instance-wide write limit', () => {
    const time = clock();
    const throttle = new SandboxThrottle(throttleProfileFor('digitalTwins'), time.now);
    throttle.configure({ limits: { 'write.key': '2/s' } });
    const remove = (id: string) => throttle.check('DELETE', '/digitaltwins/{id}/relationships/{relationshipId}', { id, relationshipId: 'r' });
    expect(remove('a')).toBeUndefined();
    expect(remove('a')).toBeUndefined();
    expect(remove('a')).toEqual({ operationClass: 'write', retryAfterSeconds: 1 });
    expect(remove('b')).toBeUndefined();
    time.advance(500);
    expect(remove('a')).toBeUndefined();
  });

  it('takes limits per class over the documented ones, scaled too, and refuses bad settings', () => {
    const throttle = new SandboxThrottle(throttleProfileFor('graph'), clock().now);
    expect(throttle.configure({ scale: 0.5, limits: { read: '20/s' } })).toBeUndefined();
    expect(throttle.describe().limits.read).toEqual({ perSecond: 10, burst: 10 });
    expect(throttle.describe().limits.write).toEqual({ perSecond: 10, burst: 1500 });
    expect(throttle.configure({ limits: { scan: '1/s' } })).toContain("unknown operation class 'scan'");
    expect(throttle.configure({ scale: -1 })).toBe('scale must be a number above 0');
    expect(throttle.configure({ speed: 2 })).toBe("unknown throttle property 'speed'");
    expect(throttle.configure({ limits: { read: 5 } })).toContain('must be a string');
    expect(new SandboxThrottle(SINGLE_CLASS_PROFILE).configure({})).toContain('give limits');
  });

  it('speeds a service up: rates multiplied, bursts as documented', () => {
    const time = clock();
    const throttle = new SandboxThrottle(throttleProfileFor('iotHub'), time.now);
    throttle.configure({ speedUp: 60 });
    expect(throttle.describe().limits.query).toEqual({ perSecond: 20, burst: 20 });
    for (let i = 0; i < 20; i++) expect(throttle.check('POST', '/devices/query', {})).toBeUndefined();
    // Retry-After stays whole seconds; the sped-up wait goes in x-ms-retry-after-ms.
    expect(throttle.check('POST', '/devices/query', {})).toEqual({ operationClass: 'query', retryAfterSeconds: 1, retryAfterMs: 50 });
    time.advance(50);
    expect(throttle.check('POST', '/devices/query', {})).toBeUndefined();
    expect(throttle.configure({ speedUp: 0 })).toBe('speedUp must be a number above 0');
  });

  it('stops enforcing when cleared', () => {
    const throttle = new SandboxThrottle(SINGLE_CLASS_PROFILE, clock().now);
    throttle.configure({ limits: { all: '1/h' } });
    expect(throttle.check('GET', '/x', {})).toBeUndefined();
    expect(throttle.check('GET', '/x', {})).toBeDefined();
    throttle.clear();
    expect(throttle.check('GET', '/x', {})).toBeUndefined();
  });
});
