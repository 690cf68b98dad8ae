// Talking seed 002 (Babel Licensing) to a test server: POSTs with the
// seed's content type and an API key, and reading what an order's stream holds.
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose'
import { decodeRecorded } from '../../src/application/event-codec.js'
import type { DomainEvent } from '../../src/domain/events.js'
import { expect } from 'vitest'
import { seedOrder } from './fixtures.js'
import { ADMIN_TOKEN, client, type Client, type HttpResult } from './server.js'

export type Credential = { readonly apiKey: string } | { readonly bearer: string } | null

export const babelClient = (server: { readonly url: string }, credential: Credential = { apiKey: ADMIN_TOKEN }) => {
  const api = client(server)
  return (operation: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> => {
    const auth: Record<string, string> =
      credential === null ? {} : 'apiKey' in credential ? { 'x-api-key': credential.apiKey } : { authorization: `Bearer ${credential.bearer}` }
    return api.call('POST', `/v1/license/${operation}`, body, {
      token: null,
      headers: { 'content-type': 'application/json-patch+json', ...auth, ...headers },
    })
  }
}
export type BabelClient = ReturnType<typeof babelClient>

export const clientBody = (userKey: string, n: number | string, extra: Record<string, unknown> = {}) => ({
  userKey,
  machineId: `machine-${n}`,
  clientId: `client-${n}`,
  clientName: `Client ${n}`,
  ...extra,
})

/** The events of an order's stream, decoded, with their metadata. */
export const orderEvents = async (
  server: { readonly running: { readonly store: { readStream: (name: string) => Promise<readonly import('../../src/store/port.js').RecordedEvent[]> } } },
  orderId: string,
) => (await server.running.store.readStream(`order-${orderId}`)).map((recorded) => decodeRecorded(recorded))

export const eventsOfType = async <T extends DomainEvent['type']>(
  server: Parameters<typeof orderEvents>[0],
  orderId: string,
  type: T,
): Promise<Extract<DomainEvent, { type: T }>[]> =>
  (await orderEvents(server, orderId)).map((e) => e.event).filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type)

/** The events of a seat's own stream (its lease, renewals and end), decoded. */
export const seatEvents = async (server: Parameters<typeof orderEvents>[0], seatId: string) =>
  (await server.running.store.readStream(`seat-${seatId}`)).map((recorded) => decodeRecorded(recorded))

/** Verifies a token with nothing but the JWK set the server publishes. */
export const verifyWithJwks = async (server: { readonly url: string }, token: string, at: Date): Promise<JWTPayload> => {
  const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as Parameters<typeof createLocalJWKSet>[0]
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { currentDate: at, issuer: 'licensing-engine' })
  return payload
}

/** The jti of a token, read without verifying (tests only). */
export const tokenId = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti

/** A license order with `key` (seed 001's body, with `change`), and its id as seed 002's info reports it. */
export const createLicense = async (
  api: Client,
  babel: BabelClient,
  customerId: number,
  templateId: number,
  key: string,
  change: Record<string, unknown> = {},
): Promise<{ key: string; orderId: string }> => {
  const created = await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: key, ...change })
  expect(created.status, created.text).toBe(201)
  const info = await babel('info', { userKey: key })
  return { key, orderId: info.body.licenseId as string }
}
