// Seed 004 requests: Basic <clientId>:<apiKey>, and the source address given
// through X-Forwarded-For (the test servers trust it) so that each test
// counts its invalid attempts against addresses of its own.
import type { Client, HttpResult } from './server.js'

export interface BasicCredential {
  readonly clientId: string
  readonly apiKey: string
}

export const basic = ({ clientId, apiKey }: BasicCredential): string => `Basic ${Buffer.from(`${clientId}:${apiKey}`).toString('base64')}`

let next = 0
/** A source or end-user address no other test uses. */
export const freshIp = (): string => {
  next += 1
  return `10.${(next >> 16) & 255}.${(next >> 8) & 255}.${next & 255}`
}

export interface DnaRequest {
  readonly credential?: BasicCredential | null
  readonly from?: string
  readonly headers?: Record<string, string>
  readonly raw?: string
  readonly path?: string
}

/** PATCH /v1/Licenses/{productId}/{licenseId}, with `credential` unless the request names another (null: none). */
export const licensesUpdate =
  (api: Client, credential: BasicCredential) =>
  (productId: string, licenseId: string, body: unknown, options: DnaRequest = {}): Promise<HttpResult> => {
    const headers: Record<string, string> = { 'x-forwarded-for': options.from ?? freshIp(), ...options.headers }
    const using = options.credential === undefined ? credential : options.credential
    if (using !== null && headers.authorization === undefined) headers.authorization = basic(using)
    const path = options.path ?? `/v1/Licenses/${encodeURIComponent(productId)}/${encodeURIComponent(licenseId)}`
    return api.patch(path, body, { token: null, headers, ...(options.raw === undefined ? {} : { raw: options.raw }) })
  }
