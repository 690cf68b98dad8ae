// Webhook endpoints: given past events, when a command, then new events or an
// error; and given a registration body, then settings or the failing fields.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { describe, expect, it } from 'vitest'
import {
  RegistrationInput,
  webhookEndpointDecider,
  wants,
  type SealedSecret,
  type WebhookEndpointEvent,
  type WebhookSettings,
} from '../../src/domain/webhook-endpoint/index.js'
import { fieldErrors } from '../../src/domain/validation.js'
import { LATER, NOW } from './fixtures.js'
import { specify } from './given.js'

const given = specify(webhookEndpointDecider)
const endpointId = 'endpoint-1'
const sealed = (n: number): SealedSecret => ({ alg: 'A256GCM', kid: 'k1', iv: `iv${n}`, tag: `tag${n}`, ciphertext: `c${n}` })
const settings: WebhookSettings = { url: 'https://example.com/hooks', events: ['license-order.updated'], description: null, enabled: true }
const at = { now: NOW }
const later = { now: LATER }

const registered: WebhookEndpointEvent = {
  type: 'WebhookEndpointRegistered',
  data: { endpointId, ...settings, secret: sealed(1), at: NOW.toISOString() },
}
const deleted: WebhookEndpointEvent = { type: 'WebhookEndpointDeleted', data: { endpointId, at: NOW.toISOString() } }

describe('webhook endpoint decider', () => {
  it('given nothing, when registered, then WebhookEndpointRegistered with its settings and sealed secret', () => {
    given().when({ type: 'RegisterWebhookEndpoint', endpointId, settings, secret: sealed(1) }, at).then(E.right([registered]))
  })
  it('given an endpoint, when registered again under its id, then WebhookEndpointAlreadyExists', () => {
    given(registered)
      .when({ type: 'RegisterWebhookEndpoint', endpointId, settings, secret: sealed(2) }, at)
      .then(E.left({ _tag: 'WebhookEndpointAlreadyExists', endpointId }))
  })
  it('given an endpoint, when its settings change, then WebhookEndpointChanged with the whole new settings', () => {
    const disabled = { ...settings, enabled: false, events: ['*'] }
    given(registered)
      .when({ type: 'ChangeWebhookEndpoint', endpointId, settings: disabled }, later)
      .then(E.right([{ type: 'WebhookEndpointChanged', data: { endpointId, ...disabled, at: LATER.toISOString() } }]))
  })
  it('given an endpoint, when changed to the settings it has, then nothing happens', () => {
    given(registered).when({ type: 'ChangeWebhookEndpoint', endpointId, settings: { ...settings } }, later).then(E.right([]))
  })
  it('given an endpoint, when its secret changes, then WebhookSecretChanged and the state holds the new secret', () => {
    const when = given(registered).when({ type: 'ChangeWebhookSecret', endpointId, secret: sealed(2) }, later)
    when.then(E.right([{ type: 'WebhookSecretChanged', data: { endpointId, secret: sealed(2), at: LATER.toISOString() } }]))
    expect(when.state()).toMatchObject({ secret: sealed(2), updatedAt: LATER.toISOString(), createdAt: NOW.toISOString() })
  })
  it('given an endpoint, when deleted, then WebhookEndpointDeleted and it is disabled', () => {
    const when = given(registered).when({ type: 'DeleteWebhookEndpoint', endpointId }, later)
    when.then(E.right([{ type: 'WebhookEndpointDeleted', data: { endpointId, at: LATER.toISOString() } }]))
    expect(when.state()).toMatchObject({ enabled: false, deletedAt: LATER.toISOString() })
  })
  it.each([
    ['changed', { type: 'ChangeWebhookEndpoint', endpointId, settings }],
    ['given a new secret', { type: 'ChangeWebhookSecret', endpointId, secret: sealed(3) }],
    ['deleted', { type: 'DeleteWebhookEndpoint', endpointId }],
  ] as const)('given no endpoint, or a deleted one, when %s, then WebhookEndpointNotFound', (_name, command) => {
    given().when(command, later).then(E.left({ _tag: 'WebhookEndpointNotFound', endpointId }))
    given(registered, deleted).when(command, later).then(E.left({ _tag: 'WebhookEndpointNotFound', endpointId }))
  })
})

describe('webhook registration input', () => {
  const decoded = (body: unknown) => pipe(RegistrationInput.decode(body), E.mapLeft(fieldErrors))
  const thenError = (body: Record<string, unknown>, field: string, message: string) =>
    expect(decoded({ url: 'https://example.com/hooks', events: ['license-order.updated'], ...body })).toEqual(E.left([{ field, message }]))

  it('given a URL and events, when decoded, then enabled settings without description, and no secret (one is generated)', () => {
    expect(decoded({ url: 'http://127.0.0.1:8080/in', events: ['license-order.created', 'seat.granted'] })).toEqual(
      E.right({ settings: { url: 'http://127.0.0.1:8080/in', events: ['license-order.created', 'seat.granted'], description: null, enabled: true }, secret: null }),
    )
  })
  it('given every field, when decoded, then they are kept', () => {
    expect(decoded({ url: 'https://example.com/x?y=1', events: ['*'], description: 'ERP', enabled: false, secret: 'a-secret-of-16-chars' })).toEqual(
      E.right({ settings: { url: 'https://example.com/x?y=1', events: ['*'], description: 'ERP', enabled: false }, secret: 'a-secret-of-16-chars' }),
    )
  })
  it('given a URL that is not http or https, then url must use http or https', () => {
    thenError({ url: 'ftp://example.com/in' }, 'url', 'must use http or https')
    thenError({ url: 'javascript:alert(1)' }, 'url', 'must use http or https')
  })
  it('given something that is not an absolute URL, then url is refused', () => {
    thenError({ url: '/relative/path' }, 'url', 'must be an absolute http or https URL')
    thenError({ url: ' https://example.com' }, 'url', 'must be an absolute http or https URL without surrounding spaces')
    thenError({ url: 42 }, 'url', 'must be a string')
  })
  it('given a URL with credentials in it, then url is refused (it would be kept in plain text)', () => {
    thenError({ url: 'https://user:pass@example.com/in' }, 'url', 'must not contain credentials; receivers authenticate deliveries by their signature')
  })
  it('given no url or no events, then each is required', () => {
    expect(decoded({})).toEqual(
      E.left([
        { field: 'url', message: 'is required' },
        { field: 'events', message: 'is required' },
      ]),
    )
  })
  it('given an event outside the catalogue, then that entry names the catalogue', () => {
    thenError(
      { events: ['license-order.updated', 'order.exploded'] },
      'events[1]',
      'must be one of: license-order.created, license-order.updated, activation.created, activation.updated, activation.deleted, seat.granted, seat.released, seat.expired, *',
    )
  })
  it('given no events, a repeated event, or "*" with others, then events is refused', () => {
    thenError({ events: [] }, 'events', 'must name at least one event')
    thenError({ events: ['seat.granted', 'seat.granted'] }, 'events[1]', 'is listed more than once')
    thenError({ events: ['*', 'seat.granted'] }, 'events', '"*" already means every event; it must be the only entry')
  })
  it('given a short secret, then secret must have at least 16 characters', () => {
    thenError({ secret: 'short' }, 'secret', 'must have at least 16 characters')
  })
  it('given "*", then every event of the catalogue is wanted; given names, only those', () => {
    expect(wants(['*'], 'seat.expired')).toBe(true)
    expect(wants(['license-order.created'], 'license-order.updated')).toBe(false)
    expect(wants(['license-order.created'], 'license-order.created')).toBe(true)
  })
})
