import { DebouncedAuditAnchor } from '../../src/storage/auditAnchor';
import { waitFor } from '../support/waitFor';

/** The executor's anchor: a burst of closings makes one digest, a closing during a digest one more. */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A digest writer whose writes wait until the test lets them finish. */
function gatedWriter() {
  const writer = {
    started: 0,
    finish: [] as (() => void)[],
    write: () =>
      new Promise<void>((resolve) => {
        writer.started++;
        writer.finish.push(resolve);
      }),
  };
  return writer;
}

describe('DebouncedAuditAnchor', () => {
  it('writes one digest for a burst of closings', async () => {
    let writes = 0;
    const anchor = new DebouncedAuditAnchor(async () => void writes++, 0, quiet);
    for (let i = 0; i < 25; i++) anchor.anchorSoon();
    await anchor.idle();
    expect(writes).toBe(1);
    // A later closing, a later digest.
    anchor.anchorSoon();
    await anchor.idle();
    expect(writes).toBe(2);
  });

  it('writes one more digest after the current one for closings while it is written, however many', async () => {
    const writer = gatedWriter();
    const anchor = new DebouncedAuditAnchor(writer.write, 0, quiet);
    anchor.anchorSoon();
    const idle = anchor.idle();
    await waitFor('the first digest', () => writer.started === 1);
    for (let i = 0; i < 5; i++) anchor.anchorSoon();
    writer.finish[0]();
    await waitFor('the second digest', () => writer.started === 2);
    writer.finish[1]();
    await idle;
    expect(writer.started).toBe(2);
  });

  it('goes on after a digest that failed, and takes nothing once stopped', async () => {
    let calls = 0;
    const warnings: string[] = [];
    const anchor = new DebouncedAuditAnchor(
      async () => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('storage down'), { statusCode: 503 });
      },
      0,
      { ...quiet, warn: (_fields, message) => warnings.push(message) },
    );
    anchor.anchorSoon();
    await anchor.idle();
    expect(warnings).toEqual(['audit digest not written']);
    anchor.anchorSoon();
    await anchor.idle();
    expect(calls).toBe(2);
    anchor.anchorSoon();
    anchor.stop();
    await anchor.idle();
    anchor.anchorSoon();
    await anchor.idle();
    expect(calls).toBe(2);
  });
});

