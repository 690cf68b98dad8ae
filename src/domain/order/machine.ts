// Who uses a license: a client (an installation of the vendor's software) on
// a machine. Seed 002 names both (clientId, machineId); seed 003 describes
// the machine in detail (fingerprint, os, hostname, ...), which an activation
// carries as its details.
import * as t from 'io-ts'
import { Bool, BoundedString, Instant, Int64, IntFromInput, nullable, oneOf } from '../codecs.js'

export const ClientId = BoundedString(1, 256, 'a client id of 1 to 256 characters')
/** Up to 1024 characters: seed 003's machine fingerprint is the machine id there. */
export const MachineId = BoundedString(1, 1024, 'a machine id of 1 to 1024 characters')
export const ClientName = BoundedString(0, 256, 'a client name of at most 256 characters')
export const ClientAddr = BoundedString(0, 64, 'an IP address')

/** The client and machine a seat or an activation belongs to, and what the engine saw of them. */
export const ClientFields = {
  clientId: ClientId,
  machineId: MachineId,
  clientName: nullable(ClientName),
  /** The address the request came from, as the engine saw it. */
  clientAddr: nullable(ClientAddr),
}

const Text256 = BoundedString(0, 256)

export const OperatingSystem = oneOf('windows', 'linux', 'macos', 'android', 'ios')

export const MetadataEntry = t.type({ key: BoundedString(1, 256), value: BoundedString(0, 4096) })
export type MetadataEntry = t.TypeOf<typeof MetadataEntry>

export const MeterAttribute = t.type({ name: BoundedString(1, 256), uses: IntFromInput(0) })
export type MeterAttribute = t.TypeOf<typeof MeterAttribute>

/**
 * What seed 003 (`/v3/activations`) records about an activated machine,
 * beside the client and machine ids. Every field is nullable: seed 002's
 * activate knows none of them.
 */
export const ActivationDetails = t.type({
  os: nullable(OperatingSystem),
  osVersion: nullable(Text256),
  fingerprint: nullable(BoundedString(1, 1024)),
  hostname: nullable(BoundedString(1, 1024)),
  vmName: nullable(Text256),
  container: nullable(Bool),
  userHash: nullable(BoundedString(1, 256)),
  /** As the client gave them; the license's own product and account are the order's. */
  productId: nullable(Text256),
  accountId: nullable(Text256),
  releaseVersion: nullable(Text256),
  releaseChannel: nullable(Text256),
  releasePlatform: nullable(Text256),
  releasePublishedAt: nullable(Instant),
  userId: nullable(Text256),
  /** Seconds; 0 or -1: unlimited (seed 003's hosted floating leases). */
  leaseDuration: nullable(Int64(-1)),
  deviceId: nullable(Text256),
  metadata: t.readonlyArray(MetadataEntry),
  meterAttributes: t.readonlyArray(MeterAttribute),
})
export type ActivationDetails = t.TypeOf<typeof ActivationDetails>

export const noActivationDetails: ActivationDetails = {
  os: null,
  osVersion: null,
  fingerprint: null,
  hostname: null,
  vmName: null,
  container: null,
  userHash: null,
  productId: null,
  accountId: null,
  releaseVersion: null,
  releaseChannel: null,
  releasePlatform: null,
  releasePublishedAt: null,
  userId: null,
  leaseDuration: null,
  deviceId: null,
  metadata: [],
  meterAttributes: [],
}

/** One key per (client, machine): a seat or an activation is "the same" when both ids are. */
export const clientKey = (ref: { readonly clientId: string; readonly machineId: string }): string =>
  JSON.stringify([ref.clientId, ref.machineId])
