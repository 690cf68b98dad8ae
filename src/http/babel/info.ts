// Seed 002's info: the license and every token issued on it (activations,
// live seats, and revoked tokens, listed but never handed out again).
import type { LicenseUsage } from '../../application/license-usage.js'
import { licenseExpiry, liveSeats, supportExpiry, type ExistingOrder } from '../../domain/order/index.js'
import { counts, licensingMode, timestamp } from './view.js'

/** Tokens as they come: kept ones at once (signed-tokens.ts), and only when some must be signed, all awaited together. */
const settled = async (tokens: readonly (string | Promise<string> | null)[]): Promise<readonly (string | null)[]> =>
  tokens.some((token) => token instanceof Promise) ? Promise.all(tokens) : (tokens as readonly (string | null)[])

/**
 * `now` is the instant the answer is for. For an instant in the past (an
 * `asOf` query) `withTokens` is false: the tokens issued then are listed, but
 * no token is signed for a state that is history.
 */
export const licenseInfo = async (
  usage: Pick<LicenseUsage, 'tokensOf'>,
  order: ExistingOrder,
  now: Date,
  withTokens = true,
) => {
  const expiry = licenseExpiry(order, now)
  const tokens = usage.tokensOf(order, now)
  const held = Object.values(order.usage.activations)
  const live = liveSeats(order.usage, now)
  const activationTokens = await settled(held.map((a) => (withTokens ? tokens.activation(a) : null)))
  const seatTokens = await settled(live.map((s) => (withTokens ? tokens.seat(s) : null)))
  const activations = held.map((a, i) => ({
    token: activationTokens[i]!,
    licenseId: order.orderId,
    revoked: false,
    clientId: a.clientId,
    clientAddr: a.clientAddr,
    clientName: a.clientName,
    machineId: a.machineId,
    issuedAt: timestamp(a.activatedAt),
    expireAt: timestamp(expiry),
    lastHearbeat: null,
  }))
  const seats = live.map((s, i) => ({
    token: seatTokens[i]!,
    licenseId: order.orderId,
    revoked: false,
    clientId: s.clientId,
    clientAddr: s.clientAddr,
    clientName: s.clientName,
    machineId: s.machineId,
    issuedAt: timestamp(s.grantedAt),
    expireAt: timestamp(s.leaseExpiresAt),
    // The last heartbeat written to the log: heartbeats that renew nothing are not recorded.
    lastHearbeat: timestamp(s.renewedAt),
  }))
  const revoked = Object.values(order.usage.revokedTokens).map((r) => ({
    token: null,
    licenseId: order.orderId,
    revoked: true,
    clientId: r.clientId,
    clientAddr: null,
    clientName: r.clientName,
    machineId: r.machineId,
    issuedAt: timestamp(r.issuedAt),
    expireAt: timestamp(r.revokedAt),
    lastHearbeat: null,
  }))
  return {
    licenseTokens: [...activations, ...seats, ...revoked],
    licenseId: order.orderId,
    ...counts(order, now),
    licensingMode: licensingMode(order),
    // At the license level, revoked means the order is disabled.
    revoked: !order.terms.enabled,
    issuedAt: timestamp(order.createdAt),
    expireAt: timestamp(expiry),
    supportExpireAt: timestamp(supportExpiry(order, now)),
  }
}
