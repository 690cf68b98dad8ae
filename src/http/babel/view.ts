// Seed 002's shapes: protobuf-style timestamps and durations ({seconds,
// nanos}), the license summary, the counts. Times the engine does not have
// (no expiry) are null.
import { licensingModeOf, type LicensingMode } from '../../application/license-tokens.js'
import { licenseExpiry, limitOf, occupied, supportExpiry, type ExistingOrder } from '../../domain/order/index.js'

export interface Timestamp {
  readonly seconds: number
  readonly nanos: number
}

export const timestamp = (at: Date | string | null): Timestamp | null => {
  if (at === null) return null
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime()
  const seconds = Math.floor(ms / 1000)
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 }
}

export const duration = (seconds: number): Timestamp => ({ seconds, nanos: 0 })

/**
 * Babel Licensing's LicensingMode, in the order its documentation lists the
 * modes (license file, activation, floating). Seed 001's license_type maps
 * onto the last two: local -> Activation, network -> Floating.
 */
export const LICENSING_MODE: Readonly<Record<'file' | LicensingMode, number>> = { file: 0, activation: 1, floating: 2 }

export const licensingMode = (order: ExistingOrder): number => LICENSING_MODE[licensingModeOf(order)]

export const counts = (order: ExistingOrder, now: Date) => ({ activeClientCount: occupied(order, now), maxClientCount: limitOf(order) })

/** The license as seed 002's `license` object shows it; licenseKey is the user key's bytes. */
export const licenseView = (order: ExistingOrder, now: Date) => ({
  licenseId: order.orderId,
  licensingMode: licensingMode(order),
  expireAt: timestamp(licenseExpiry(order, now)),
  supportExpireAt: timestamp(supportExpiry(order, now)),
  licenseKey: [...Buffer.from(order.activationKey, 'utf8')],
})
