// What a request reads from the event store, counted by a decorator over the
// real SQLite store: each stream a request needs is read once, and reused for
// the access check, the decision and the reply (application/session.ts). The
// requests carry the admin token, whose check reads nothing; an API key's
// check would read that key's stream too.
import { beforeAll, describe, expect, it } from 'vitest'
import type { EventStore } from '../../src/store/port.js'
import { babelClient, clientBody, orderEvents } from '../support/babel.js'
import { seedOrder, setUpLicense } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const KEY = 'READS-KEY-1'

/** The streams read while `work` runs, in order, and the events appended meanwhile. */
const countingStore = () => {
  let counting: { reads: string[]; appended: number } | null = null
  const wrap = (store: EventStore): EventStore => ({
    ...store,
    readStream: (name, options) => {
      counting?.reads.push(name)
      return store.readStream(name, options)
    },
    appendToStream: (name, events, expected) => {
      if (counting !== null) counting.appended += events.length
      return store.appendToStream(name, events, expected)
    },
  })
  const during = async (work: () => Promise<unknown>) => {
    const seen = { reads: [] as string[], appended: 0 }
    counting = seen
    try {
      await work()
    } finally {
      counting = null
    }
    return seen
  }
  return { wrap, during }
}

describe('store reads per request', () => {
  const store = countingStore()
  const server = useEngine({ wrapStore: store.wrap })
  const api = client(server)
  const babel = babelClient(server)
  let ids: { customerId: number; templateId: number }
  let orderStream: string

  beforeAll(async () => {
    ids = await setUpLicense(api, KEY)
    const orderId = (await babel('info', { userKey: KEY })).body.licenseId as string
    orderStream = `order-${orderId}`
  })

  it("reads each of a seed 001 PATCH's four streams once: the key's, the order's, its customer's and its template's", async () => {
    const { reads, appended } = await store.during(async () => {
      const res = await api.patch(`/license-orders/${KEY}`, { ...seedOrder(ids.customerId, ids.templateId), activations_allowed: 12 })
      expect(res.status, res.text).toBe(200)
    })
    expect(appended).toBe(1)
    expect(reads).toHaveLength(4)
    expect([...reads].sort()).toEqual([`activationKey-${KEY}`, `customer-${ids.customerId}`, orderStream, `productTemplate-${ids.templateId}`].sort())
  })

  it('reads nothing for a heartbeat that needs no renewal, nor for one that renews (it appends at the version it decided on)', async () => {
    const granted = await babel('request', clientBody(KEY, 1))
    expect(granted.status, granted.text).toBe(200)
    const heartbeat = { licenseToken: granted.body.licenseToken, clientId: 'client-1', machineId: 'machine-1' }

    // Less than half an interval after the grant: nothing to write.
    server.clock.advance(20_000)
    const quiet = await store.during(async () => expect((await babel('heartbeat', heartbeat)).body.active).toBe(true))
    expect(quiet).toEqual({ reads: [], appended: 0 })

    server.clock.advance(40_000)
    const renewal = await store.during(async () => expect((await babel('heartbeat', heartbeat)).body.active).toBe(true))
    expect(renewal).toEqual({ reads: [], appended: 1 })
  })

  it("after a restart, when nothing is cached, reads each stream a heartbeat needs once: the order, its template and its held seats' own streams", async () => {
    const granted = await babel('request', clientBody(KEY, 2))
    await server.restart()
    server.clock.advance(30_000)
    const cold = await store.during(async () =>
      expect((await babel('heartbeat', { licenseToken: granted.body.licenseToken })).body.active).toBe(true),
    )
    // Seats' leases live in their own streams: the reply's activeClientCount counts the live ones, so each held seat's stream is read once.
    const held = (await babel('info', { userKey: KEY })).body.licenseTokens.filter((t: { revoked: boolean; lastHearbeat: unknown }) => !t.revoked && t.lastHearbeat !== null)
    expect(held).toHaveLength(2)
    const seats = (await orderEvents(server, orderStream.slice('order-'.length))).flatMap((e) => (e.event.type === 'SeatGranted' ? [`seat-${e.event.data.seatId}`] : []))
    expect([...cold.reads].sort()).toEqual([orderStream, `productTemplate-${ids.templateId}`, ...seats].sort())
  })
})
