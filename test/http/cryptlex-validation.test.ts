// Every constraint of seed 003's request schema, table-driven: each invalid
// value is a 400 naming its field (and nothing is written), each value at a
// boundary is accepted.
import { beforeAll, describe, expect, it } from 'vitest'
import { activationBody, cryptlexClient, fingerprintOf } from '../support/cryptlex.js'
import { createCustomer, createOrder, createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const KEY = 'V3-VALIDATION'
const chars = (n: number, c = 'a'): string => c.repeat(n)
const INT64_MAX = 9223372036854775807
const REQUIRED = ['os', 'fingerprint', 'hostname', 'userHash', 'productId', 'accountId', 'key'] as const

type Change = Record<string, unknown> | ((body: Record<string, unknown>) => Record<string, unknown>)
const without =
  (field: string) =>
  (body: Record<string, unknown>): Record<string, unknown> => {
    const { [field]: _gone, ...rest } = body
    return rest
  }

/** [what, change to a valid body, the field named, its message]. */
const invalid: readonly (readonly [string, Change, string, string])[] = [
  ...REQUIRED.map((field) => [`${field} missing`, without(field), field, 'is required'] as const),
  ['os outside the enum', { os: 'freebsd' }, 'os', 'must be one of: windows, linux, macos, android, ios'],
  ['os in another case', { os: 'Windows' }, 'os', 'must be one of: windows, linux, macos, android, ios'],
  ['osVersion of 257', { osVersion: chars(257) }, 'osVersion', 'must have at most 256 characters'],
  ['osVersion not a string', { osVersion: 6 }, 'osVersion', 'must be a string'],
  ['fingerprint of 63', { fingerprint: chars(63) }, 'fingerprint', 'must have at least 64 characters'],
  ['fingerprint of 1025', { fingerprint: chars(1025) }, 'fingerprint', 'must have at most 1024 characters'],
  ['vmName of 257', { vmName: chars(257) }, 'vmName', 'must have at most 256 characters'],
  ['container not a boolean', { container: 'true' }, 'container', 'must be true or false'],
  ['hostname empty', { hostname: '' }, 'hostname', 'must not be empty'],
  ['hostname blank', { hostname: ' ' }, 'hostname', 'must not be empty'],
  ['hostname of 1025', { hostname: chars(1025) }, 'hostname', 'must have at most 1024 characters'],
  ['userHash empty', { userHash: '' }, 'userHash', 'must not be empty'],
  ['userHash of 257', { userHash: chars(257) }, 'userHash', 'must have at most 256 characters'],
  ['productId empty', { productId: '' }, 'productId', 'must not be empty'],
  ['productId of 257', { productId: chars(257) }, 'productId', 'must have at most 256 characters'],
  ['accountId of 257', { accountId: chars(257) }, 'accountId', 'must have at most 256 characters'],
  ...['1', '1.2.3.4.5', 'a.b', '1.2.', 'v1.2', '1..2'].map(
    (v) => [`releaseVersion ${v}`, { releaseVersion: v }, 'releaseVersion', 'must be a version as x.x, x.x.x or x.x.x.x'] as const,
  ),
  ['releaseVersion of 257', { releaseVersion: `1.${'0'.repeat(255)}` }, 'releaseVersion', 'must have at most 256 characters'],
  ['releaseChannel of 257', { releaseChannel: chars(257) }, 'releaseChannel', 'must have at most 256 characters'],
  ['releasePlatform of 257', { releasePlatform: chars(257) }, 'releasePlatform', 'must have at most 256 characters'],
  ...['yesterday', '2019-08-24', '2019-08-24T14:15:22', '2019-02-30T14:15:22Z', '2019-08-24T25:15:22Z', '2019-08-24 14:15:22Z'].map(
    (v) => [`releasePublishedAt ${v}`, { releasePublishedAt: v }, 'releasePublishedAt', 'must be a date-time (RFC 3339, e.g. 2019-08-24T14:15:22Z)'] as const,
  ),
  ['key empty', { key: '' }, 'key', 'must not be empty'],
  ['key of 257', { key: chars(257) }, 'key', 'must have at most 256 characters'],
  ['userId of 257', { userId: chars(257) }, 'userId', 'must have at most 256 characters'],
  ['leaseDuration -2', { leaseDuration: -2 }, 'leaseDuration', 'must be at least -1'],
  ['leaseDuration not an integer', { leaseDuration: 1.5 }, 'leaseDuration', 'must be an integer'],
  ['leaseDuration a string', { leaseDuration: '60' }, 'leaseDuration', 'must be an integer'],
  // The next double after int64's largest (which parses as 2^63).
  ['leaseDuration above int64', { leaseDuration: 9223372036854777856 }, 'leaseDuration', 'must be at most 9223372036854775807 (int64)'],
  ['leaseDuration 1e19', { leaseDuration: 1e19 }, 'leaseDuration', 'must be at most 9223372036854775807 (int64)'],
  ['metadata not an array', { metadata: { key: 'a', value: 'b' } }, 'metadata', 'must be an array of {key, value}'],
  ['metadata key missing', { metadata: [{ value: 'b' }] }, 'metadata[0].key', 'is required'],
  ['metadata key empty', { metadata: [{ key: 'a', value: 'b' }, { key: '', value: 'b' }] }, 'metadata[1].key', 'must not be empty'],
  ['metadata key of 257', { metadata: [{ key: chars(257), value: 'b' }] }, 'metadata[0].key', 'must have at most 256 characters'],
  ['metadata value missing', { metadata: [{ key: 'a' }] }, 'metadata[0].value', 'is required'],
  ['metadata value of 4097', { metadata: [{ key: 'a', value: chars(4097) }] }, 'metadata[0].value', 'must have at most 4096 characters'],
  ['meterAttributes name empty', { meterAttributes: [{ name: '', usesIncrement: 1 }] }, 'meterAttributes[0].name', 'must not be empty'],
  ['meterAttributes name of 257', { meterAttributes: [{ name: chars(257), usesIncrement: 1 }] }, 'meterAttributes[0].name', 'must have at most 256 characters'],
  ['meterAttributes usesIncrement missing', { meterAttributes: [{ name: 'a' }] }, 'meterAttributes[0].usesIncrement', 'is required'],
  ['meterAttributes usesIncrement not an integer', { meterAttributes: [{ name: 'a', usesIncrement: 0.5 }] }, 'meterAttributes[0].usesIncrement', 'must be an integer'],
  ['meterAttributes usesIncrement beyond int64', { meterAttributes: [{ name: 'a', usesIncrement: -1e19 }] }, 'meterAttributes[0].usesIncrement', `must be at least ${-(2 ** 63)}`],
  ['deviceId not a uuid', { deviceId: 'device-1' }, 'deviceId', 'must be a uuid'],
  ['deviceId a uuid without dashes', { deviceId: '4de4adb921ee47e3aeb48cf8ed6c109a' }, 'deviceId', 'must be a uuid'],
  ['deviceChallenge empty', { deviceChallenge: '' }, 'deviceChallenge', 'must not be empty'],
  ['deviceChallenge of 257', { deviceChallenge: chars(257) }, 'deviceChallenge', 'must have at most 256 characters'],
  ['deviceChallengeSignature empty', { deviceChallengeSignature: '' }, 'deviceChallengeSignature', 'must not be empty'],
  ['deviceChallengeSignature of 1025', { deviceChallengeSignature: chars(1025) }, 'deviceChallengeSignature', 'must have at most 1024 characters'],
]

/** [what, change to a valid body] accepted at the boundary. */
const valid: readonly (readonly [string, Record<string, unknown>])[] = [
  ['fingerprint of 64', { fingerprint: chars(64, 'b') }],
  ['fingerprint of 1024', { fingerprint: chars(1024, 'c') }],
  ...(['windows', 'linux', 'macos', 'android', 'ios'] as const).map((os) => [`os ${os}`, { os }] as const),
  ['hostname of 1', { hostname: 'h' }],
  ['hostname of 1024', { hostname: chars(1024) }],
  ['osVersion, vmName, accountId, userId, channel and platform empty', { osVersion: '', vmName: '', accountId: '', userId: '', releaseChannel: '', releasePlatform: '' }],
  ['the texts of 256', { osVersion: chars(256), vmName: chars(256), userHash: chars(256), accountId: chars(256), userId: chars(256), releaseChannel: chars(256), releasePlatform: chars(256) }],
  ...['1.0', '1.0.2', '10.20.30.40', ''].map((v) => [`releaseVersion "${v}"`, { releaseVersion: v }] as const),
  ['releasePublishedAt with an offset and fractions', { releasePublishedAt: '2019-08-24T14:15:22.123456+02:00' }],
  ['leaseDuration -1', { leaseDuration: -1 }],
  ['leaseDuration 0', { leaseDuration: 0 }],
  ['leaseDuration at int64 max', { leaseDuration: INT64_MAX }],
  ['metadata key of 1 and 256, values empty and of 4096', { metadata: [{ key: 'k', value: '' }, { key: chars(256), value: chars(4096) }] }],
  ['an empty metadata and meterAttributes', { metadata: [], meterAttributes: [] }],
  ['deviceId in capitals', { deviceId: '4DE4ADB9-21EE-47E3-AEB4-8CF8ED6C109A' }],
  ['device challenge of 1 and signature of 1024', { deviceChallenge: 'c', deviceChallengeSignature: chars(1024) }],
  ['optional fields as null', { osVersion: null, vmName: null, container: null, releaseVersion: null, leaseDuration: null, metadata: null, deviceId: null }],
  ['only the required fields', {}],
]

describe('seed 003 request validation', () => {
  const server = useEngine()
  const cryptlex = cryptlexClient(server)
  let patchTarget: string
  let n = 0

  beforeAll(async () => {
    const api = client(server)
    const order = { ...seedOrder(await createCustomer(api), await createTemplate(api, '1')), activations_allowed: 200, deactivations_allowed: null }
    await createOrder(api, { ...order, activation_key: KEY })
    const res = await cryptlex.activate(activationBody(KEY, 'patched'))
    expect(res.status, res.text).toBe(200)
    patchTarget = res.headers.get('location')!.split('/').pop()!
  })

  const apply = (change: Change, body: Record<string, unknown>) => (typeof change === 'function' ? change(body) : { ...body, ...change })

  it.each(invalid)('POST refuses %s with 400 naming the field', async (_what, change, field, message) => {
    n += 1
    const res = await cryptlex.activate(apply(change, activationBody(KEY, `bad-${n}`)))
    expect(res.status, res.text).toBe(400)
    expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: `${field} ${message}` })
  })

  it.each(invalid.filter(([, , field]) => field !== 'fingerprint'))('PATCH refuses %s with 400 naming the field, changing nothing', async (_what, change, field, message) => {
    const res = await cryptlex.update(patchTarget, apply(change, { ...activationBody(KEY, 'patched'), hostname: 'changed' }))
    expect(res.status, res.text).toBe(400)
    expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: `${field} ${message}` })
    expect((await cryptlex.get(patchTarget)).body.hostname).toBe('host-patched')
  })

  it.each(valid)('POST accepts %s', async (_what, change) => {
    n += 1
    const base = activationBody(KEY, `ok-${n}`)
    const { os, fingerprint, hostname, userHash, productId, accountId, key } = base
    const body = Object.keys(change).length === 0 ? { os, fingerprint, hostname, userHash, productId, accountId, key } : { ...base, ...change }
    const res = await cryptlex.activate(body)
    expect(res.status, res.text).toBe(200)
  })

  it('names every invalid field at once', async () => {
    const res = await cryptlex.activate({ ...activationBody(KEY, 'many'), os: 'beos', fingerprint: 'short', metadata: [{ key: '', value: 1 }] })
    expect(res.body).toEqual({
      code: 'VALIDATION_FAILED',
      message:
        'os must be one of: windows, linux, macos, android, ios; fingerprint must have at least 64 characters; metadata[0].key must not be empty; metadata[0].value must be a string',
    })
  })

  it('refuses a body that is not an object', async () => {
    const array = await cryptlex.activate([])
    expect(array.body).toEqual({ code: 'VALIDATION_FAILED', message: 'body must be an object' })
    // JSON that is not an object or an array is refused by the parser already.
    for (const body of ['text', 42]) expect((await cryptlex.activate(body)).body).toEqual({ code: 'BAD_REQUEST', message: 'the request body is not valid JSON' })
  })

  it('writes nothing for a refused request: the activations are only those accepted', async () => {
    const info = await client(server).post('/v1/license/info', { userKey: KEY })
    const machines = (info.body.licenseTokens as { machineId: string }[]).map((t) => t.machineId)
    expect(machines.some((m) => m.startsWith(fingerprintOf('bad-').slice(0, 7)))).toBe(false)
    expect(machines).toHaveLength(1 + valid.length)
  })
})
