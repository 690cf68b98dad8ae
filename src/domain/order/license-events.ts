// Facts of seed 004 (softWORKZ software_DNA, "Licenses Update") on a license
// order's stream: its activation e-mail and its license data changed. Each
// names the end user's address (UserIp) and whether it was a test event; who
// made the change and from where is in the event's metadata.
import * as t from 'io-ts'
import { Bool, Email, Instant, nullable } from '../codecs.js'
import { IpAddress } from '../ip-address.js'

const MAX_LICENSE_DATA = 200

/** Seed 004's License Data: any text of at most 200 characters (code points, not UTF-16 units). */
export const LicenseData = new t.Type<string, string, unknown>(
  'a string of at most 200 characters',
  (u): u is string => typeof u === 'string' && [...u].length <= MAX_LICENSE_DATA,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'must be a string')
    return [...u].length <= MAX_LICENSE_DATA ? t.success(u) : t.failure(u, c, `must have at most ${MAX_LICENSE_DATA} characters`)
  },
  t.identity,
)

export const LicenseEmailChanged = t.type({
  type: t.literal('LicenseEmailChanged'),
  data: t.type({
    orderId: t.string,
    /** null: the license had no e-mail yet. */
    from: nullable(Email),
    to: Email,
    userIp: IpAddress,
    /** Whether the old and the new address are to be told (seed 004's SendDnaEmail). */
    sendNotice: Bool,
    test: Bool,
    at: Instant,
  }),
})

export const LicenseDataChanged = t.type({
  type: t.literal('LicenseDataChanged'),
  data: t.type({ orderId: t.string, from: nullable(LicenseData), to: LicenseData, userIp: IpAddress, test: Bool, at: Instant }),
})
