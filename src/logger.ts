// pino, with credentials redacted wherever they could appear. Lines written for
// a request go through its own logger (req.log), which carries its request id.
// There is no async context carrying the id to lines written deeper down: an
// AsyncLocalStorage would put a hook on every promise of every request.
import { pino, type Logger } from 'pino'

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
    },
    destination,
  )
