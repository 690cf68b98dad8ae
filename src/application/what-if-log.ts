// The recorded actions a what-if replays, read once: the license's stream and
// its seats' streams, merged in log order as they are read (each stream is in
// log order already; a page of each is held at a time), up to the end of the
// period. A month of a busy license is millions of heartbeats, so they are
// kept compactly (a kind, a time and a client per action, in typed arrays) and
// replayed from there as often as needed; the rarer requests and the
// license's other facts keep their decoded events beside them. On the
// embedded log the seats' renewals (nearly all of it) are read straight from
// its table in one query, in log order, and taken from their stored text
// without io-ts's allocations where that is exact (stored-renewals.ts);
// elsewhere, and for any row not so taken, through the store's reads and
// decodeRecorded, as before.
import { orderStream, type OrderEvent } from '../domain/order/index.js'
import { seatStream } from '../domain/seat/index.js'
import type { EventStore, Position, RecordedEvent } from '../store/port.js'
import { decodeRecorded } from './event-codec.js'
import { RENEWAL, storedRenewals, type Renewal } from './stored-renewals.js'

export const REQUEST = 0
export const HEARTBEAT = 1
export const RELEASE = 2
export const FACT = 3
type Kind = typeof REQUEST | typeof HEARTBEAT | typeof RELEASE | typeof FACT

export interface ClientRef {
  readonly clientId: string
  readonly machineId: string
}

export interface Request {
  readonly at: string
  /** The seat it was granted (null: it was denied). */
  readonly seatId: string | null
  readonly client: { readonly clientId: string; readonly machineId: string; readonly clientName: string | null; readonly clientAddr: string | null }
}

export interface Fact {
  readonly at: string
  readonly event: OrderEvent
}

/** Action i: kinds[i] at times[i] (ms); refs[i] is its client (a heartbeat's, a release's) or its entry in `details` (a request's, a fact's). */
export interface ActionLog {
  readonly length: number
  readonly kinds: Uint8Array
  readonly times: Float64Array
  readonly refs: Int32Array
  readonly clients: readonly ClientRef[]
  /** A client's number in `clients`, by clientKey. */
  readonly clientNumbers: ReadonlyMap<string, number>
  readonly details: readonly (Request | Fact)[]
}

export const clientKeyOf = (client: ClientRef): string => `${client.clientId}\u0000${client.machineId}`

/** Appends actions, growing its arrays as a list would. */
const actionLog = () => {
  let length = 0
  let kinds = new Uint8Array(1024)
  let times = new Float64Array(1024)
  let refs = new Int32Array(1024)
  const clients: ClientRef[] = []
  const clientNumbers = new Map<string, number>()
  // Client numbers by a stored renewal's holder number (stored-renewals.ts).
  const byHolder: number[] = []
  const details: (Request | Fact)[] = []
  const numberOf = (client: ClientRef): number => {
    const key = clientKeyOf(client)
    let n = clientNumbers.get(key)
    if (n === undefined) {
      n = clients.push({ clientId: client.clientId, machineId: client.machineId }) - 1
      clientNumbers.set(key, n)
    }
    return n
  }
  const push = (kind: Kind, at: number, ref: number): void => {
    if (length === kinds.length) {
      const grown = { kinds: new Uint8Array(length * 2), times: new Float64Array(length * 2), refs: new Int32Array(length * 2) }
      grown.kinds.set(kinds)
      grown.times.set(times)
      grown.refs.set(refs)
      ;({ kinds, times, refs } = grown)
    }
    kinds[length] = kind
    times[length] = at
    refs[length] = ref
    length += 1
  }
  return {
    /** The time of the last action if it was a request, a heartbeat or a release (NaN: none, or a fact). */
    lastClockTime: (): number => (length === 0 || kinds[length - 1] === FACT ? NaN : times[length - 1]!),
    /** Forgets the last action (a request's entry in `details` with it). */
    dropLast: (): void => {
      length -= 1
      if (kinds[length] === REQUEST) details.pop()
    },
    /** A heartbeat at `at` (ms) of the client a renewal read from its row names (by its holder number, its client found without a key built). */
    renewal: (renewal: Renewal): void => {
      let n = byHolder[renewal.holder]
      if (n === undefined) byHolder[renewal.holder] = n = numberOf(renewal)
      push(HEARTBEAT, renewal.atMs, n)
    },
    /** A heartbeat or a release of the client. */
    ofClient: (kind: typeof HEARTBEAT | typeof RELEASE, at: string, client: ClientRef) => push(kind, Date.parse(at), numberOf(client)),
    request: (request: Request) => {
      numberOf(request.client)
      push(REQUEST, Date.parse(request.at), details.push(request) - 1)
    },
    fact: (fact: Fact) => push(FACT, Date.parse(fact.at), details.push(fact) - 1),
    done: (): ActionLog => ({ length, kinds: kinds.subarray(0, length), times: times.subarray(0, length), refs: refs.subarray(0, length), clients, clientNumbers, details }),
  }
}
type Builder = ReturnType<typeof actionLog>

/**
 * One recorded event as the replay takes it. A seat's stream gives only its
 * renewals (each was a heartbeat): its start and end are outcomes the replay
 * decides itself, and are not decoded at all.
 */
const take = (recorded: RecordedEvent, into: Builder): void => {
  const fromSeatStream = recorded.streamName.startsWith('seat-')
  if (fromSeatStream && recorded.type !== 'SeatLeaseRenewed') return
  const { event } = decodeRecorded(recorded)
  if (fromSeatStream) {
    if (event.type === 'SeatLeaseRenewed') into.ofClient(HEARTBEAT, event.data.at, event.data)
    return
  }
  const e = event as OrderEvent
  switch (e.type) {
    case 'SeatGranted': {
      const { seatId, clientId, machineId, clientName, clientAddr, at } = e.data
      into.request({ at, seatId, client: { clientId, machineId, clientName, clientAddr } })
      break
    }
    case 'SeatRequestDenied': {
      const { clientId, machineId, clientName, at } = e.data
      into.request({ at, seatId: null, client: { clientId, machineId, clientName, clientAddr: null } })
      break
    }
    case 'SeatReleased':
      into.ofClient(RELEASE, e.data.at, e.data)
      break
    // Outcomes of the replayed actions: the replay decides them itself.
    case 'SeatExpired':
      break
    // A renewal in the order's stream (logs from before seats had streams) was a heartbeat.
    case 'SeatLeaseRenewed':
      into.ofClient(HEARTBEAT, e.data.at, e.data)
      break
    default:
      into.fact({ at: 'at' in e.data && typeof e.data.at === 'string' ? e.data.at : recorded.recordedAt.toISOString(), event: e })
      break
  }
}

const PAGE = 5_000
/** A seat stream's page: a hundred seats' pages are held at once. */
const SEAT_PAGE = 1_000

/** A stream read a page at a time, in revision (so log) order. */
interface Cursor {
  page: readonly RecordedEvent[]
  index: number
  /** The head's position: a number where it is exact (the comparisons of the merge are cheaper so), else the bigint. */
  key: number | bigint
  readonly next: () => Promise<readonly RecordedEvent[]>
}

const keyOf = (position: Position): number | bigint => (position <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : position)

const pagesOf = (store: EventStore, stream: string, size: number) => {
  let fromRevision = 0
  let ended = false
  return async (): Promise<readonly RecordedEvent[]> => {
    if (ended) return []
    const page = await store.readStream(stream, { fromRevision, maxCount: size })
    // From the revision after the last one read: a stream trimmed by retention starts above 0.
    if (page.length > 0) fromRevision = page[page.length - 1]!.revision + 1
    ended = page.length < size
    return page
  }
}

/** The cursors by their head's position, least first. */
const heap = () => {
  const items: Cursor[] = []
  const less = (a: Cursor, b: Cursor): boolean => a.key < b.key
  const swap = (i: number, j: number): void => {
    const item = items[i]!
    items[i] = items[j]!
    items[j] = item
  }
  const down = (from: number): void => {
    for (let i = from; ; ) {
      const l = 2 * i + 1
      const r = l + 1
      let least = i
      if (l < items.length && less(items[l]!, items[least]!)) least = l
      if (r < items.length && less(items[r]!, items[least]!)) least = r
      if (least === i) return
      swap(i, least)
      i = least
    }
  }
  return {
    size: () => items.length,
    push: (cursor: Cursor): void => {
      items.push(cursor)
      for (let i = items.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1
        if (!less(items[i]!, items[parent]!)) return
        swap(i, parent)
        i = parent
      }
    },
    top: (): Cursor => items[0]!,
    /** The top's key changed (it moved on): put it back in place. */
    settle: () => down(0),
    pop: (): void => {
      const last = items.pop()!
      if (items.length > 0) {
        items[0] = last
        down(0)
      }
    },
  }
}

/** How many events a stream holds (its last revision, plus one): the reading's progress is told against their sum. */
const sizeOf = async (store: EventStore, stream: string): Promise<number> => {
  const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 })
  return last === undefined ? 0 : last.revision + 1
}

/** An event's stored row: position, data and metadata (JSON text). */
export type StoredRow = readonly [position: number, data: string, metadata: string]

/**
 * A faster way to the seats' renewals than the store's reads: the events of a type in some streams, in log
 * order, as rows (the embedded log's own table: src/store/sqlite-stream-rows.ts). null: read them through the
 * store (a stream with a retention, whose reads leave out what it no longer keeps).
 */
export interface StoredRows {
  readonly rows: (
    streams: readonly string[],
    type: string,
  ) => {
    readonly estimate: number
    /** The next rows, in log order; none: the end. */
    readonly next: () => readonly StoredRow[]
    readonly event: (position: number) => RecordedEvent | null
    readonly close: () => void
  } | null
}

/** The order's stream, whole, in revision order. */
const readOrder = async (store: EventStore, orderId: string): Promise<RecordedEvent[]> => {
  const order: RecordedEvent[] = []
  for (let fromRevision = 0; ; ) {
    const page = await store.readStream(orderStream(orderId), { fromRevision, maxCount: PAGE })
    // The next page starts after the last revision read: a stream trimmed by retention starts above 0.
    if (page.length > 0) fromRevision = page[page.length - 1]!.revision + 1
    order.push(...page)
    if (page.length < PAGE) break
  }
  return order
}

/** Rows read between two turns of the event loop: a server answers its other requests meanwhile. */
const ROWS_PER_TURN = 50_000

/**
 * The license's recorded actions up to `until` (ms): read until the first
 * request, heartbeat or release at or after it, the engine's clock having
 * passed it. null: no such license. With `rows`, the seats' renewals are read
 * from there where it can (their streams' other events are outcomes the
 * replay decides itself, and are not read).
 */
export const readActionLog = async (
  store: EventStore,
  orderId: string,
  until: number,
  onProgress?: (done: number, total: number) => void,
  rows?: StoredRows,
): Promise<ActionLog | null> => {
  const order = await readOrder(store, orderId)
  if (order.length === 0) return null
  const seatIds = order.flatMap((r) => (r.type === 'SeatGranted' ? [(r.data as { seatId: string }).seatId] : []))
  const read = rows?.rows(seatIds.map(seatStream), RENEWAL) ?? null
  if (read === null) return mergedByStore(store, order, seatIds, until, onProgress)

  const into = actionLog()
  const total = order.length + read.estimate
  const renewals = storedRenewals()
  const renewal: Renewal = { clientId: '', machineId: '', holder: 0, atMs: 0 }
  // The order's next event, and its position (a number: the embedded log's positions are).
  let next = 0
  let nextAt = order.length > 0 ? Number(order[0]!.position) : Infinity
  let done = 0
  let shown = 0
  onProgress?.(0, total)
  /** Takes the order's events before `position`; false: the period's end was reached. */
  const orderUpTo = (position: number): boolean => {
    while (nextAt < position) {
      take(order[next]!, into)
      if (into.lastClockTime() >= until) {
        into.dropLast()
        return false
      }
      done += 1
      next += 1
      nextAt = next < order.length ? Number(order[next]!.position) : Infinity
    }
    return true
  }
  try {
    let ended = false
    for (let page = read.next(); page.length > 0 && !ended; page = read.next()) {
      for (const [position, data, metadata] of page) {
        if (nextAt < position && !orderUpTo(position)) {
          ended = true
          break
        }
        if (renewals.read(data, metadata, renewal)) {
          if (renewal.atMs >= until) {
            ended = true
            break
          }
          into.renewal(renewal)
        } else {
          // Not taken as it is: the event as the store reads it, decoded (or refused) the usual way.
          const recorded = read.event(position)
          if (recorded === null) throw new Error(`the event at position ${position} of the log is gone while it was read`)
          take(recorded, into)
          if (into.lastClockTime() >= until) {
            into.dropLast()
            ended = true
            break
          }
        }
      }
      done += page.length
      if (done - shown >= ROWS_PER_TURN) {
        shown = done
        onProgress?.(done, total)
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    if (!ended) orderUpTo(Infinity)
  } finally {
    read.close()
  }
  onProgress?.(done, total)
  return into.done()
}

/** The order's stream and its seats' streams, read through the store a page of each at a time and merged by position. */
const mergedByStore = async (
  store: EventStore,
  order: readonly RecordedEvent[],
  seatIds: readonly string[],
  until: number,
  onProgress?: (done: number, total: number) => void,
): Promise<ActionLog> => {
  const cursors = heap()
  let total = order.length
  const enter = async (page: readonly RecordedEvent[], next: () => Promise<readonly RecordedEvent[]>): Promise<void> => {
    if (page.length > 0) cursors.push({ page, index: 0, key: keyOf(page[0]!.position), next })
  }
  await enter(order, async () => [])
  for (const seatId of seatIds) {
    const stream = seatStream(seatId)
    total += await sizeOf(store, stream)
    const next = pagesOf(store, stream, SEAT_PAGE)
    await enter(await next(), next)
  }

  const into = actionLog()
  let done = 0
  while (cursors.size() > 0) {
    const cursor = cursors.top()
    const recorded = cursor.page[cursor.index]!
    take(recorded, into)
    if (into.lastClockTime() >= until) {
      into.dropLast()
      break
    }
    done += 1
    if (done % 10_000 === 0) onProgress?.(done, total)
    cursor.index += 1
    if (cursor.index === cursor.page.length) {
      cursor.page = await cursor.next()
      cursor.index = 0
    }
    if (cursor.page.length === 0) cursors.pop()
    else {
      cursor.key = keyOf(cursor.page[cursor.index]!.position)
      cursors.settle()
    }
  }
  onProgress?.(done, total)
  return into.done()
}
