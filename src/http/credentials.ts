// Reading credentials off a request in the schemes the five APIs use:
// Authorization: Bearer, x-api-key, and Basic <clientId>:<apiKey>.
import type { Request } from 'express'
import type { AuthFailure } from '../application/credentials.js'

export const bearerToken = (req: Request): string | null => {
  const header = req.get('authorization')
  if (header === undefined) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match === null ? null : match[1]!
}

export const apiKeyHeader = (req: Request): string | null => {
  const value = req.get('x-api-key')
  return value === undefined || value.trim() === '' ? null : value.trim()
}

export const basicCredentials = (req: Request): { readonly clientId: string; readonly apiKey: string } | null => {
  const header = req.get('authorization')
  if (header === undefined) return null
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (match === null) return null
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  return { clientId: decoded.slice(0, colon), apiKey: decoded.slice(colon + 1) }
}

/** A refused credential, with the reason the client is not told (unknown, revoked or expired). */
export const logRefusal = (req: Request, failure: AuthFailure): void => {
  req.log.info({ reason: failure._tag === 'InvalidCredentials' ? failure.reason : 'missing' }, 'authentication refused')
}
