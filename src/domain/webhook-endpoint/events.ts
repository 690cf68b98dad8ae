// Facts of a webhook endpoint's stream, so that every registration, change
// and deletion is auditable. The signing secret is recorded only sealed
// (AES-256-GCM under a key kept outside the log), never in plain text.
import * as t from 'io-ts'
import { Instant, NonEmptyString } from '../codecs.js'
import type { EventSchemas } from '../versioning.js'
import { WebhookSettings } from './settings.js'

/** A secret encrypted with AES-256-GCM; `kid` names the key, so a wrong key is reported as such. Fields are base64url. */
export const SealedSecret = t.type({
  alg: t.literal('A256GCM'),
  kid: t.string,
  iv: t.string,
  tag: t.string,
  ciphertext: t.string,
})
export type SealedSecret = t.TypeOf<typeof SealedSecret>

export const WebhookEndpointRegistered = t.type({
  type: t.literal('WebhookEndpointRegistered'),
  data: t.intersection([
    t.type({ endpointId: NonEmptyString, secret: SealedSecret, at: Instant }),
    WebhookSettings,
  ]),
})

export const WebhookEndpointChanged = t.type({
  type: t.literal('WebhookEndpointChanged'),
  data: t.intersection([t.type({ endpointId: NonEmptyString, at: Instant }), WebhookSettings]),
})

export const WebhookSecretChanged = t.type({
  type: t.literal('WebhookSecretChanged'),
  data: t.type({ endpointId: NonEmptyString, secret: SealedSecret, at: Instant }),
})

export const WebhookEndpointDeleted = t.type({
  type: t.literal('WebhookEndpointDeleted'),
  data: t.type({ endpointId: NonEmptyString, at: Instant }),
})

export const WebhookEndpointEvent = t.union([WebhookEndpointRegistered, WebhookEndpointChanged, WebhookSecretChanged, WebhookEndpointDeleted])
export type WebhookEndpointEvent = t.TypeOf<typeof WebhookEndpointEvent>

export const webhookEndpointSchemas: EventSchemas<WebhookEndpointEvent['type']> = {
  versions: { WebhookEndpointRegistered: 1, WebhookEndpointChanged: 1, WebhookSecretChanged: 1, WebhookEndpointDeleted: 1 },
  upcasters: {},
}
