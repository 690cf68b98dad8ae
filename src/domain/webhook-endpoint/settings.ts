// What a vendor registers: the URL deliveries are POSTed to, the events it
// wants (names from the catalogue, or "*" alone for all of them), a
// description, whether it is enabled, and optionally its own signing secret.
// `RegistrationInput` decodes a request body and names every failing field.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { Bool, BoundedString, nullable, oneOf } from '../codecs.js'
import { shaped } from '../shaped.js'
import { failureAt } from '../validation.js'
import { ALL_EVENTS, WEBHOOK_EVENT_NAMES } from './catalogue.js'

const URL_MAX = 2048

const urlProblem = (u: unknown): string | null => {
  if (typeof u !== 'string') return 'must be a string'
  if (u.length > URL_MAX) return `must have at most ${URL_MAX} characters`
  if (u.trim() !== u || u === '') return 'must be an absolute http or https URL without surrounding spaces'
  let parsed: URL
  try {
    parsed = new URL(u)
  } catch {
    return 'must be an absolute http or https URL'
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must use http or https'
  if (parsed.hostname === '') return 'must name a host'
  // The URL is kept in the log and shown in listings: it must not carry a password.
  if (parsed.username !== '' || parsed.password !== '') return 'must not contain credentials; receivers authenticate deliveries by their signature'
  return null
}

/** An absolute http(s) URL without user info, kept as given. */
export const WebhookUrl = new t.Type<string, string, unknown>(
  'an http or https URL',
  (u): u is string => urlProblem(u) === null,
  (u, c) => {
    const problem = urlProblem(u)
    return problem === null ? t.success(u as string) : t.failure(u, c, problem)
  },
  t.identity,
)

export const WebhookEventSelector = oneOf(...WEBHOOK_EVENT_NAMES, ALL_EVENTS)

/** A signing secret the client chose: long enough that its HMAC cannot be guessed. */
export const WebhookSecretInput = BoundedString(16, 256, 'a secret of 16 to 256 characters')

const Description = nullable(BoundedString(0, 1024, 'a string of at most 1024 characters'))

/** An endpoint's settings as stored (stored events stay readable if the catalogue ever drops a name). */
export const WebhookSettings = t.type({
  url: t.string,
  events: t.readonlyArray(t.string),
  description: t.union([t.string, t.null]),
  enabled: t.boolean,
})
export type WebhookSettings = t.TypeOf<typeof WebhookSettings>

export const RegistrationShape = t.intersection([
  t.type({ url: WebhookUrl, events: t.readonlyArray(WebhookEventSelector) }),
  t.partial({ description: Description, enabled: Bool, secret: WebhookSecretInput }),
])

export interface Registration {
  readonly settings: WebhookSettings
  /** The secret the client chose; null: one is to be generated. */
  readonly secret: string | null
}

/** Decodes a registration (or a change merged onto the current settings), naming each failing field. */
export const RegistrationInput = shaped(
  new t.Type<Registration, Registration, unknown>(
    'RegistrationInput',
    (u): u is Registration => typeof u === 'object' && u !== null && 'settings' in u && 'secret' in u,
    (u, c) =>
      pipe(
        RegistrationShape.validate(u, c),
        E.chain((shape) => {
          const { events } = shape
          if (events.length === 0) return E.left(failureAt(u, c, ['events'], 'must name at least one event'))
          if (events.includes(ALL_EVENTS) && events.length > 1) {
            return E.left(failureAt(u, c, ['events'], `"${ALL_EVENTS}" already means every event; it must be the only entry`))
          }
          const repeated = events.findIndex((name, i) => events.indexOf(name) !== i)
          if (repeated >= 0) return E.left(failureAt(u, c, ['events', repeated], 'is listed more than once'))
          return t.success({
            settings: { url: shape.url, events: [...events], description: shape.description ?? null, enabled: shape.enabled ?? true },
            secret: shape.secret ?? null,
          })
        }),
      ),
    t.identity,
  ),
  RegistrationShape,
)
