/**
 * An error answer a sandbox route (or the sandbox server itself) gives.
 *
 * Throw it from a route handler; the server renders it with the service's
 * {@link ErrorBodyFormatter}, so each service keeps its own error JSON shape.
 */
export class SandboxHttpError extends Error {
  /**
   * @param status - HTTP status code.
   * @param message - Human-readable message put in the error body.
   * @param code - The service's error code; when absent the service formatter picks its default for `status`.
   * @param headers - Extra response headers (for example `Retry-After`).
   */
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'SandboxHttpError';
  }
}
