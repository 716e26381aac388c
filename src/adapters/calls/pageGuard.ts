import { ServiceError, type ServiceName } from '../../dsr';

/** The code of the error a paging loop stops with when a service hands back a link or token it already gave. */
export const REPEATED_PAGE = 'RepeatedPage';

/**
 * Remembers every next-page link or continuation token one paging loop followed. A buggy or
 * hostile service answering with one it already gave would otherwise keep the loop going for
 * ever; the error names the service and the operation only (a link can hold personal values).
 */
export class PageGuard {
  private readonly seen = new Set<string>();

  constructor(private readonly service: ServiceName, private readonly operation: string) {}

  /** `next` as given (undefined or empty: the last page); a ServiceError RepeatedPage if it was followed before. */
  follow(next: string | undefined | null): string | undefined {
    if (next === undefined || next === null || next === '') return undefined;
    if (this.seen.has(next)) {
      throw new ServiceError(this.service, `${this.service}: ${this.operation} repeated a next-page link or continuation token; stopped`, undefined, REPEATED_PAGE);
    }
    this.seen.add(next);
    return next;
  }
}
