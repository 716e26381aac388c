import { ForegroundTurns } from '../../src/foregroundTurns';

/** A promise and the function that settles it. */
function deferred() {
  let settle!: (error?: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  return { promise, settle };
}

/** Whether `promise` has settled once every callback queued so far has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('ForegroundTurns', () => {
  afterEach(() => jest.useRealTimers());

  it('is quiet at once when no turn is being answered', async () => {
    expect(await settled(new ForegroundTurns().quiet(60_000))).toBe(true);
  });

  it('holds a job back until the last turn in flight has answered, even one that failed', async () => {
    const foreground = new ForegroundTurns();
    const first = deferred();
    const second = deferred();
    const answers = [foreground.answer(() => first.promise), foreground.answer(() => second.promise)];
    const quiet = foreground.quiet(60_000);
    expect(await settled(quiet)).toBe(false);
    first.settle(new Error('the turn failed'));
    await expect(answers[0]).rejects.toThrow('the turn failed');
    expect(await settled(quiet)).toBe(false);
    second.settle();
    await answers[1];
    expect(await settled(quiet)).toBe(true);
  });

  it('lets a job start after maxWaitMs when the chat never goes quiet', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const foreground = new ForegroundTurns();
    const never = deferred();
    void foreground.answer(() => never.promise);
    const quiet = foreground.quiet(200);
    jest.advanceTimersByTime(199);
    expect(await settled(quiet)).toBe(false);
    jest.advanceTimersByTime(1);
    expect(await settled(quiet)).toBe(true);
    // A second job waits its own 200 ms: the first one's release did not end the turn.
    const next = foreground.quiet(200);
    expect(await settled(next)).toBe(false);
  });

  it('holds a message only while card actions are being answered, and not for other turns', async () => {
    const foreground = new ForegroundTurns();
    const message = deferred();
    const messageTurn = foreground.answer(() => message.promise);
    expect(await settled(foreground.invokesAnswered(60_000))).toBe(true);
    const first = deferred();
    const second = deferred();
    const actions = [foreground.answer(() => first.promise, 'invoke'), foreground.answer(() => second.promise, 'invoke')];
    const answered = foreground.invokesAnswered(60_000);
    first.settle(new Error('the card action failed'));
    await expect(actions[0]).rejects.toThrow('the card action failed');
    expect(await settled(answered)).toBe(false);
    second.settle();
    await actions[1];
    expect(await settled(answered)).toBe(true);
    // The message turn is still in flight: jobs wait for it, messages do not.
    const quiet = foreground.quiet(60_000);
    expect(await settled(quiet)).toBe(false);
    message.settle();
    await messageTurn;
    expect(await settled(quiet)).toBe(true);
  });

  it('holds a message for the card actions in flight when it arrived, not for those that came after', async () => {
    const foreground = new ForegroundTurns();
    const earlier = deferred();
    const action = foreground.answer(() => earlier.promise, 'invoke');
    const answered = foreground.invokesAnswered(60_000);
    const later = deferred();
    const laterAction = foreground.answer(() => later.promise, 'invoke');
    expect(await settled(answered)).toBe(false);
    earlier.settle();
    await action;
    expect(await settled(answered)).toBe(true);
    // A message arriving now waits for the later action, still being answered.
    const next = foreground.invokesAnswered(60_000);
    expect(await settled(next)).toBe(false);
    later.settle();
    await laterAction;
    expect(await settled(next)).toBe(true);
  });

  it('lets a message go after maxWaitMs when card actions keep coming', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const foreground = new ForegroundTurns();
    void foreground.answer(() => deferred().promise, 'invoke');
    const answered = foreground.invokesAnswered(2_000);
    jest.advanceTimersByTime(1_999);
    expect(await settled(answered)).toBe(false);
    jest.advanceTimersByTime(1);
    expect(await settled(answered)).toBe(true);
  });

  it('answers messages a few at a time, in the order they came, while card actions never wait', async () => {
    const foreground = new ForegroundTurns(2);
    const started: string[] = [];
    const turn = (name: string, done: Promise<void>) => () => {
      started.push(name);
      return done;
    };
    const [first, second, third, fourth] = [deferred(), deferred(), deferred(), deferred()];
    const messages = [
      foreground.answer(turn('first', first.promise)),
      foreground.answer(turn('second', second.promise)),
      foreground.answer(turn('third', third.promise)),
      foreground.answer(turn('fourth', fourth.promise)),
    ];
    const click = deferred();
    const action = foreground.answer(turn('click', click.promise), 'invoke');
    await settled(Promise.resolve());
    expect([...started].sort()).toEqual(['click', 'first', 'second']);
    // A failed message frees its place too, for the one that waited longest.
    second.settle(new Error('the turn failed'));
    await expect(messages[1]).rejects.toThrow('the turn failed');
    await settled(Promise.resolve());
    expect(started.slice(3)).toEqual(['third']);
    // Waiting for a place is being in the foreground: jobs wait for those messages too.
    const quiet = foreground.quiet(60_000);
    for (const done of [first, third, click]) done.settle();
    await Promise.all([messages[0], messages[2], action]);
    await settled(Promise.resolve());
    expect(started.slice(3)).toEqual(['third', 'fourth']);
    expect(await settled(quiet)).toBe(false);
    fourth.settle();
    await messages[3];
    expect(await settled(quiet)).toBe(true);
  });
});
