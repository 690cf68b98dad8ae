// Talking seed 003 (Cryptlex /v3/activations) to a test server: Bearer
// requests and request bodies with the seed's required fields.
import { decodeJwt, importSPKI, jwtVerify, type JWTPayload } from 'jose'
import { ADMIN_TOKEN, client, type HttpResult } from './server.js'

export const fingerprintOf = (n: number | string): string => `fp-${n}-`.padEnd(64, 'x')

/** A valid body for the license `key` of product `productId`, for machine `n`. */
export const activationBody = (key: string, n: number | string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  os: 'linux',
  osVersion: '6.1',
  fingerprint: fingerprintOf(n),
  vmName: '',
  container: false,
  hostname: `host-${n}`,
  userHash: `user-${n}`,
  productId: '1',
  accountId: 'account-1',
  releaseVersion: '1.2.3',
  releaseChannel: 'stable',
  releasePlatform: 'x64',
  releasePublishedAt: '2019-08-24T14:15:22Z',
  key,
  userId: 'user-id',
  leaseDuration: -1,
  metadata: [{ key: 'seat', value: 'desk 4' }],
  deviceId: '4de4adb9-21ee-47e3-aeb4-8cf8ed6c109a',
  ...extra,
})

export const cryptlexClient = (server: { readonly url: string }, token: string | null = ADMIN_TOKEN) => {
  const api = client(server)
  const options = (headers: Record<string, string> = {}) => ({ token, headers })
  return {
    activate: (body: unknown, headers?: Record<string, string>): Promise<HttpResult> => api.post('/v3/activations', body, options(headers)),
    get: (id: string): Promise<HttpResult> => api.get(`/v3/activations/${id}`, options()),
    update: (id: string, body: unknown, headers?: Record<string, string>): Promise<HttpResult> => api.patch(`/v3/activations/${id}`, body, options(headers)),
    deactivate: (id: string, headers?: Record<string, string>): Promise<HttpResult> => api.delete(`/v3/activations/${id}`, options(headers)),
  }
}
export type CryptlexClient = ReturnType<typeof cryptlexClient>

/** An activationToken verified as Cryptlex clients do: RS256 with the public key of the product it names (read from the admin API). */
export const verifyActivationToken = async (server: { readonly url: string }, token: string): Promise<JWTPayload> => {
  const { pid } = decodeJwt(token)
  const key = await client(server).get(`/products/${String(pid)}/activation-key`)
  if (key.status !== 200) throw new Error(`no activation key for product ${String(pid)}: ${key.text}`)
  return (await jwtVerify(token, await importSPKI(key.body.public_key_pem as string, 'RS256'), { algorithms: ['RS256'] })).payload
}
