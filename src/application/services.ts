// The application's services over one event store: what the HTTP layer and
// the command-line tools call. Each takes the session of the work it is part
// of (services.session()), and the commands it handles as values.
import { randomBytes, type KeyObject } from 'node:crypto'
import type { LockoutPolicy } from '../domain/lockout/index.js'
import type { EventStore } from '../store/port.js'
import { createCommandHandler } from './command-handler.js'
import { createCredentials } from './credentials.js'
import { createCustomers, createProductTemplates } from './customers.js'
import { keepLeaseHistory } from './lease-history.js'
import { createLicenseUpdates } from './license-updates.js'
import { createLicenseUsage } from './license-usage.js'
import { createDenials } from './denials.js'
import { createWhatIf } from './what-if.js'
import type { StoredRows } from './what-if-log.js'
import { createLockout, DEFAULT_LOCKOUT_POLICY } from './lockout.js'
import { createOrders } from './orders.js'
import { createPointInTime } from './point-in-time.js'
import { createProductKeys } from './product-keys.js'
import { createProducts } from './products.js'
import { createReports } from './reports.js'
import { createSecretBox, SECRET_KEY_BYTES, type SecretBox } from './secret-box.js'
import { createTokenSigner, generateSigningKey } from './signing.js'
import type { Snapshots } from './snapshots.js'

export interface ServicesOptions {
  readonly store: EventStore
  readonly clock: () => Date
  readonly adminToken: string | null
  /** Signs license tokens (Ed25519); a fresh one when not given. */
  readonly signingKey?: KeyObject
  /** Public keys that signed before it: their tokens still verify. */
  readonly previousSigningKeys?: readonly KeyObject[]
  /** Seed 004's IP lockout (default: DEFAULT_LOCKOUT_POLICY). */
  readonly lockoutPolicy?: LockoutPolicy
  /** Snapshots of long streams, for cold loads; absent: none. */
  readonly snapshots?: Snapshots
  /** LEASE_HISTORY_RETENTION_DAYS: how long seats' renewals are kept; null or absent: forever. */
  readonly leaseHistoryRetentionDays?: number | null
  /** Seals the products' activation-token keys (the engine's secret key); a box with a fresh key when not given. */
  readonly secretBox?: SecretBox
  /** The embedded log's table, a faster way for the what-if to the seats' renewals than the store's reads; absent: those. */
  readonly storedRows?: StoredRows
}

export const createServices = ({ store, clock, adminToken, signingKey, previousSigningKeys, lockoutPolicy, snapshots, leaseHistoryRetentionDays = null, secretBox, storedRows }: ServicesOptions) => {
  const handler = createCommandHandler({ store, clock, snapshots })
  const customers = createCustomers()
  const productTemplates = createProductTemplates()
  const orders = createOrders({ customers, productTemplates, clock })
  const credentials = createCredentials({ clock, adminToken })
  const denials = createDenials(store)
  const usage = createLicenseUsage({
    clock,
    lastDenial: denials.lastOf,
    signer: createTokenSigner(signingKey ?? generateSigningKey(), previousSigningKeys),
    keepLeaseHistory: keepLeaseHistory(store, leaseHistoryRetentionDays),
  })
  const products = createProducts()
  const productKeys = createProductKeys({ secretBox: secretBox ?? createSecretBox(randomBytes(SECRET_KEY_BYTES)) })
  const licenseUpdates = createLicenseUpdates({ orders, products })
  const lockout = createLockout({ clock, policy: lockoutPolicy ?? DEFAULT_LOCKOUT_POLICY })
  const reports = createReports(store, handler.load)
  const pointInTime = createPointInTime(store)
  return {
    handler,
    /** A unit of work over the store: one per request, so each stream is read once (session.ts). */
    session: handler.session,
    customers,
    productTemplates,
    orders,
    credentials,
    usage,
    clock,
    products,
    productKeys,
    licenseUpdates,
    lockout,
    reports,
    pointInTime,
    denials,
    whatIf: createWhatIf(store, storedRows),
  }
}
export type Services = ReturnType<typeof createServices>
