// pino, with every line written during a request carrying its request id, and
// credentials redacted wherever they could appear.
import { pino, type Logger } from 'pino'
import { requestScope } from './http/request-context.js'

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
      mixin: () => {
        const scope = requestScope.getStore()
        return scope === undefined ? {} : { reqId: scope.requestId }
      },
    },
    destination,
  )
