// Seed 003's activation object, as Cryptlex's ActivationDto has it (the
// official OpenAPI document; the seed's webhook `data` is the same object).
// What the engine does not keep is given a well-defined value or left out
// where the schema allows: location holds only the address the activation
// came from (no geolocation; "" when none was recorded); organization and
// user are left out; a metadata entry's id is the activation's id and the
// entry's index, its times the activation's last update; an activation made
// through seed 002 has no details: its hostname is its client name, container
// false, os null. Seed 003's API and the activation webhooks both render it.
import { licenseExpiry, type Activation, type ExistingOrder } from '../domain/order/index.js'

export const activationView = (order: ExistingOrder, activation: Activation, productId: string | null, now: Date) => {
  const details = activation.details
  return {
    id: activation.activationId,
    createdAt: activation.activatedAt,
    updatedAt: activation.updatedAt,
    os: details.os,
    osVersion: details.osVersion,
    hostname: details.hostname ?? activation.clientName ?? '',
    location: { ipAddress: activation.clientAddr ?? '' },
    vmName: details.vmName,
    container: details.container ?? false,
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
    userId: details.userId,
    metadata: details.metadata.map(({ key, value }, index) => ({
      id: `${activation.activationId}-${index}`,
      createdAt: activation.updatedAt,
      updatedAt: activation.updatedAt,
      key,
      value,
    })),
  }
}
export type ActivationView = ReturnType<typeof activationView>
