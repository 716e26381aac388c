import type { CallPolicy } from '../../src/adapters/calls/callPolicy';
import { AdapterCallContext, ExportFile, type PlanItem, type RequestKind, ServiceError, type Subject } from '../../src/dsr';
import { jsonPieces } from '../../src/storage/exportJson';
import { loadTenant } from '../../src/sandbox/tenant';

/** What the adapter tests share: a quick retry policy, seeded and injection subjects, small readers. */

/** Retries as in production, but quick: the tests inject bursts of 429 and 500. */
export const FAST_POLICY: Partial<CallPolicy> = { baseDelayMs: 1, maxDelayMs: 20, timeoutMs: 10_000 };

/** A value that would widen a query built by pasting it between quotes. */
export const INJECTION = "x' OR 1=1 OR T.$dtId != '";
export const injectedSubject: Subject = { aadObjectId: INJECTION, upn: INJECTION, email: INJECTION, displayName: INJECTION };

/** The seeded tenant user with this UPN (src/sandbox/tenant.json), as a subject. */
export function subjectFor(upn: string): Subject {
  const user = loadTenant().users.find((candidate) => candidate.upn === upn);
  if (!user) throw new Error(`no seeded user ${upn}`);
  return { aadObjectId: user.aadObjectId, upn: user.upn, email: user.email, displayName: user.displayName };
}

/** The context of a call for request DSR-2026-0001; with `plan`, a change carries out that approved plan. */
export const callContext = (kind: RequestKind, plan?: readonly PlanItem[]): AdapterCallContext => ({ requestId: 'DSR-2026-0001', kind, ...(plan && { plan }) });

/**
 * An export's files by path, each as the package holds it: written as the package writer writes
 * it (streamed arrays read item by item) and parsed back.
 */
export async function collectFiles(files: AsyncIterable<ExportFile>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for await (const file of files) {
    let text = '';
    for await (const piece of jsonPieces(file.content)) text += piece;
    out[file.path] = JSON.parse(text) as unknown;
  }
  return out;
}

/** The ServiceError `promise` rejects with; fails the test when it resolves or throws anything else. */
export async function serviceFailure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Nothing that names a person: no address, no name, no object id. */
export function expectNoPersonalValues(text: string, subject: Subject): void {
  expect(text).not.toContain('@');
  for (const value of [subject.displayName, subject.aadObjectId, subject.email.split('@')[0]]) {
    expect(text.toLowerCase()).not.toContain(value.toLowerCase());
  }
}
