// Which failures of the EventStoreDB client a retry can cure. The client
// reconnects (to the leader, if the server named one) on the call after an
// unavailable, cancelled or not-leader error, so the next attempt goes to a
// working node; an append sent again keeps its event ids, which the server
// recognises (its idempotent append), so a retry never writes twice.
import { ErrorType, isCommandError } from '@eventstore/db-client'
import { StoreUnavailable } from './port.js'

const TRANSIENT: ReadonlySet<ErrorType> = new Set([
  // No connection, or the node is going away (grpc UNAVAILABLE).
  ErrorType.UNAVAILABLE,
  // A follower was asked to write, or an election is under way; the error names the leader.
  ErrorType.NOT_LEADER,
  // The call's deadline passed: an append may or may not have been written.
  ErrorType.DEADLINE_EXCEEDED,
  // grpc ABORTED: the server gave up on the request (e.g. its own timeout of a write).
  ErrorType.TIMEOUT,
  // The server cancelled the call, as it does when it shuts down.
  ErrorType.CANCELLED,
])

/** The client's error as a StoreUnavailable when retrying can cure it; null when it cannot (a conflict, access denied, a bad request). */
export const transientOf = (error: unknown): StoreUnavailable | null => {
  if (!(error instanceof Error)) return null
  if (isCommandError(error) && TRANSIENT.has(error.type)) {
    return new StoreUnavailable(`EventStoreDB: ${error.type}: ${error.message}`, { cause: error })
  }
  // Gossip found no node (esdb+discover:// while the cluster is down or electing); a plain Error in client 6.x.
  if (/^Failed to discover after \d+ attempts/.test(error.message)) {
    return new StoreUnavailable(`EventStoreDB: ${error.message}`, { cause: error })
  }
  return null
}

/** Rethrows the client's error, as a StoreUnavailable when it is transient. */
export const rethrow = (error: unknown): never => {
  throw transientOf(error) ?? error
}
