// pino, with every line written during a request carrying its request id, and
// credentials redacted wherever they could appear.
import { AsyncLocalStorage } from 'node:async_hooks'
import { pino, type Logger } from 'pino'

export interface RequestScope {
  readonly requestId: string
}

/** The request being handled, set by the HTTP layer: lets log lines written deep in the application carry its id. */
export const requestScope = new AsyncLocalStorage<RequestScope>()

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.token',
  '*.password',
  '*.secret',
  '*.adminToken',
]

export const createLogger = (level: string, destination?: pino.DestinationStream): Logger =>
  pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Lines logged through a request's own logger carry reqId as a binding; any
      // other line written while a request is handled gets it from the async context.
      mixin: (_merge, _level, logger) => {
        const scope = requestScope.getStore()
        return scope === undefined || 'reqId' in logger.bindings() ? {} : { reqId: scope.requestId }
      },
    },
    destination,
  )
