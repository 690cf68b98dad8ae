// Seed 003's activation object, as its webhook `data` shows it. What the
// engine does not keep (location, organization, user, the ids and times of
// single metadata entries) is present and null, so the shape is always the
// seed's; activations made through seed 002 have null details. Seed 003's API
// and the activation webhooks both render it.
import { licenseExpiry, type Activation, type ExistingOrder } from '../domain/order/index.js'

export const activationView = (order: ExistingOrder, activation: Activation, productId: string | null, now: Date) => {
  const details = activation.details
  return {
    id: activation.activationId,
    createdAt: activation.activatedAt,
    updatedAt: activation.updatedAt,
    os: details.os,
    osVersion: details.osVersion,
    hostname: details.hostname,
    location: null,
    vmName: details.vmName,
    container: details.container,
    // Cryptlex's older name for the release version.
    appVersion: details.releaseVersion,
    releaseVersion: details.releaseVersion,
    releaseChannel: details.releaseChannel,
    releasePlatform: details.releasePlatform,
    // Every activation is made online, through this API or seed 002.
    offline: false,
    productId,
    expiresAt: licenseExpiry(order, now)?.toISOString() ?? null,
    licenseId: order.orderId,
    // Syncs that change nothing are not recorded: this is the last one that changed something.
    lastSyncedAt: activation.updatedAt,
    meterAttributes: details.meterAttributes.map(({ name, uses }) => ({ name, uses })),
    // Activations are node-locked: they hold no lease (floating seats are seed 002's).
    leaseExpiresAt: null,
    organization: null,
    userId: details.userId,
    user: null,
    metadata: details.metadata.map(({ key, value }) => ({ id: null, createdAt: null, updatedAt: null, key, value })),
  }
}
export type ActivationView = ReturnType<typeof activationView>
