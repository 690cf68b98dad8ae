// Every failure the application answers with, as a value: the union each
// API's failure map (src/http/<api>/failures.ts) maps, exhaustively. A failure
// added here and not mapped by a dialect does not compile.
import type { Forbidden } from './access.js'
import type { CustomerFailure, ProductTemplateFailure } from './customers.js'
import type { ApiKeyFailure, AuthFailure } from './credentials.js'
import type { LicenseUpdateFailure } from './license-updates.js'
import type { SeatTokenFailure, UsageFailure } from './license-usage.js'
import type { OrderFailure, UnknownActivationKey } from './orders.js'
import type { WebhookEndpointFailure } from './webhook-endpoints.js'

export type Failure =
  | AuthFailure
  | Forbidden
  | UnknownActivationKey
  | OrderFailure
  | UsageFailure
  | SeatTokenFailure
  | LicenseUpdateFailure
  | ApiKeyFailure
  | CustomerFailure
  | ProductTemplateFailure
  | WebhookEndpointFailure

export type FailureTag = Failure['_tag']

export type FailureOf<K extends FailureTag> = Extract<Failure, { readonly _tag: K }>
