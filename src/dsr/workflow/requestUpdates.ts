import { ConcurrencyConflict, RequestStore, StoredRequest } from '../ports';
import { isOpen, nextState, RequestEvent } from '../model/stateMachine';
import { DsrRequest } from '../model/types';

const MAX_ATTEMPTS = 8;

/**
 * Read, change, write conditionally; on a lost race read again and re-decide on fresh data.
 * `change` returns undefined to leave the request as it is. Returns the stored result, or
 * undefined when the request does not exist or `change` declined. `read`: the row as the caller
 * just read it, so the first attempt writes against it instead of reading it again. Without it
 * the first attempt starts from the version the store remembers (`lastKnown`), which saves the
 * read when this process wrote last; a change declined on it is decided again on a fresh read,
 * since declining writes nothing that could find out the version was old.
 */
export async function updateRequest(
  store: RequestStore,
  id: string,
  change: (current: DsrRequest) => DsrRequest | undefined,
  read?: StoredRequest,
): Promise<DsrRequest | undefined> {
  let remembered = read ? undefined : store.lastKnown?.(id);
  let basis = read ?? remembered;
  for (let attempt = 1; ; attempt++) {
    const stored = basis ?? (await store.get(id));
    basis = undefined;
    if (!stored) return undefined;
    const changed = change(stored.request);
    if (!changed) {
      if (stored !== remembered) return undefined;
      remembered = undefined;
      continue;
    }
    try {
      await store.replace(changed, stored.etag);
      return changed;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** `request` after `event`; throws TransitionRefused when the table does not allow it. */
export function applyEvent(request: DsrRequest, event: RequestEvent, at: Date): DsrRequest {
  const state = nextState(request.state, event);
  return { ...request, state, ...(isOpen(state) ? {} : { closedAt: request.closedAt ?? at.toISOString() }) };
}
