// When a license stops being valid, and when its support ends, read from the
// order's features (seed 001): a fixed date, a number of days from the
// license's activation, or never. A fixed date is valid through that whole
// day (UTC). Days from activation count from the license's first activation
// or seat grant; before that, from now (what a first use now would give).
// The license as a whole lasts as long as its longest-lived enabled feature.
import type { ExistingOrder } from './state.js'
import type { Feature } from './terms.js'

const DAY_MS = 24 * 60 * 60 * 1000

const endOfDay = (date: string): number => Date.parse(`${date}T00:00:00.000Z`) + DAY_MS

/** The instant the license counts its days from. */
export const activationBase = (order: ExistingOrder, now: Date): number =>
  order.usage.firstUsedAt === null ? now.getTime() : Date.parse(order.usage.firstUsedAt)

/** When a feature expires (epoch ms); null: never. */
export const featureExpiry = (feature: Feature, base: number): number | null => {
  switch (feature.expiration_type) {
    case 'fixed':
      return feature.expiration_date === null ? null : endOfDay(feature.expiration_date)
    case 'days_from_activation':
      return feature.days_from_activation === null ? null : base + feature.days_from_activation * DAY_MS
    case 'no_expiration':
      return null
  }
}

/** When a feature's maintenance (support) ends; null: no maintenance date. */
export const featureSupportEnd = (feature: Feature, base: number): number | null => {
  switch (feature.maintenance_type) {
    case 'fixed':
      return feature.maintenance_date === null ? null : endOfDay(feature.maintenance_date)
    case 'days_from_activation':
      return feature.maintenance_days_from_activation === null ? null : base + feature.maintenance_days_from_activation * DAY_MS
    case 'no_maintenance':
      return null
  }
}

const enabledFeatures = (order: ExistingOrder): readonly Feature[] => order.terms.Features.filter((f) => f.enabled)

/** When the license expires; null: it does not (no enabled feature expires, or there are none). */
export const licenseExpiry = (order: ExistingOrder, now: Date): Date | null => {
  const base = activationBase(order, now)
  const ends = enabledFeatures(order).map((f) => featureExpiry(f, base))
  if (ends.length === 0 || ends.some((end) => end === null)) return null
  return new Date(Math.max(...(ends as number[])))
}

/** When support ends: the latest maintenance end of the enabled features; null when none has one. */
export const supportExpiry = (order: ExistingOrder, now: Date): Date | null => {
  const base = activationBase(order, now)
  const ends = enabledFeatures(order)
    .map((f) => featureSupportEnd(f, base))
    .filter((end): end is number => end !== null)
  return ends.length === 0 ? null : new Date(Math.max(...ends))
}

export const isExpired = (order: ExistingOrder, now: Date): boolean => {
  const expiry = licenseExpiry(order, now)
  return expiry !== null && expiry.getTime() <= now.getTime()
}

export interface FeatureGrant {
  readonly name: string
  readonly version: string
  readonly count: number | null
  /** ISO instant; null: never. */
  readonly expiresAt: string | null
}

/** The enabled features with their own expiry, as a token carries them. */
export const featureGrants = (order: ExistingOrder, now: Date): readonly FeatureGrant[] => {
  const base = activationBase(order, now)
  return enabledFeatures(order).map((f) => {
    const end = featureExpiry(f, base)
    return { name: f.name, version: f.version, count: f.count, expiresAt: end === null ? null : new Date(end).toISOString() }
  })
}
