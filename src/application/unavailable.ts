// Infrastructure that cannot answer right now: the event store is unreachable
// after the retries it was allowed, or the read models are still being rebuilt
// from the log. Not a business outcome (those are values): it is thrown, and
// every API answers it the same way, 503 with Retry-After in its own dialect
// (src/http/endpoint.ts), so no dialect can forget it and none leaks a 500.
export class Unavailable extends Error {
  constructor(
    /** For the client: what is unavailable, in a sentence. */
    readonly reason: string,
    /** When to try again. */
    readonly retryAfterSeconds: number,
  ) {
    super(reason)
    this.name = 'Unavailable'
  }
}

export const isUnavailable = (error: unknown): error is Unavailable => error instanceof Unavailable
