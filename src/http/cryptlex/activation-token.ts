// Seed 003's activationToken as Cryptlex clients verify it offline: an RS256
// JWT signed with the product's RSA key (whose public key the vendor embeds
// in the app), with the claim names and meanings of Cryptlex's activation
// payload (its sample client's ActivationPayload). What the engine has no
// notion of is given a fixed, documented value: a node-locked license
// without leases, server-sync grace or offline responses.
import { SignJWT } from 'jose'
import type { ProductSigningKey } from '../../application/product-keys.js'
import { licenseExpiry, type Activation, type ExistingOrder } from '../../domain/order/index.js'

/** Seconds a client's clock may run ahead of the token's iat (the sample checks iat against it). */
export const ALLOWED_CLOCK_OFFSET_SECONDS = 3600

const seconds = (at: Date | string): number => Math.floor((typeof at === 'string' ? Date.parse(at) : at.getTime()) / 1000)

export const activationClaims = (order: ExistingOrder, activation: Activation, productId: string, now: Date) => {
  const details = activation.details
  const expiry = licenseExpiry(order, now)
  return {
    aid: activation.activationId,
    os: details.os ?? '',
    fp: activation.machineId,
    fms: 'exact',
    // 0: the license does not expire.
    eat: expiry === null ? 0 : seconds(expiry),
    iat: seconds(now),
    pid: productId,
    orv: 0,
    lid: order.orderId,
    key: order.activationKey,
    name: '',
    email: order.email ?? '',
    company: '',
    type: 'node-locked',
    suspended: false,
    fc: 0,
    ls: 'per-machine',
    ld: 0,
    ssgpeat: 0,
    leat: 0,
    aco: ALLOWED_CLOCK_OFFSET_SECONDS,
    ssi: 0,
    pmd: [],
    lmd: [],
    umd: [],
    amd: details.metadata.map(({ key, value }) => ({ key, value })),
    lma: Object.entries(order.usage.meters ?? {})
      .filter(([, meter]) => meter.allowedUses !== null)
      .map(([name, meter]) => ({ name, allowedUses: meter.allowedUses, totalUses: meter.uses })),
    ama: details.meterAttributes.map(({ name, uses }) => ({ name, uses })),
  }
}
export type ActivationClaims = ReturnType<typeof activationClaims>

export const signActivationToken = (key: ProductSigningKey, claims: ActivationClaims): Promise<string> =>
  new SignJWT(claims).setProtectedHeader({ alg: key.jwk.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey)
