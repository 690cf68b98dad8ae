// The EventStoreDB adapter's own logic where no server runs: which streams are
// ours, the filter it asks the server for, the names it writes under, and which
// of the client's errors a retry can cure. The client is a stand-in that hands
// back canned events as the gRPC client does (and, unlike the server, applies
// no filter, so the adapter's own check is what keeps foreign events out).
import { Readable } from 'node:stream'
import {
  WrongExpectedVersionError,
  convertToCommandError,
  streamNameFilter,
  type AllStreamResolvedEvent,
} from '@eventstore/db-client'
import { v4 as uuid } from 'uuid'
import { describe, expect, it } from 'vitest'
import { transientOf } from '../../src/store/eventstoredb-errors.js'
import { createEventStoreDbEventStore, type EventStoreDbClient } from '../../src/store/eventstoredb.js'
import { streamNamespace } from '../../src/store/namespace.js'
import { ExpectedVersion, StoreUnavailable, UnreadableEvent, type EventStore, type RecordedEvent } from '../../src/store/port.js'

let nextCommit = 1000n

/** An event as the client hands it back from a read or a subscription of $all. */
const resolved = (streamId: string, type: string, more: { readonly isJson?: boolean } = {}): AllStreamResolvedEvent => {
  nextCommit += 1n
  return {
    event: {
      id: uuid(),
      type,
      streamId,
      revision: 0n,
      isJson: more.isJson ?? true,
      data: more.isJson === false ? new Uint8Array([1, 2]) : { from: streamId },
      metadata: {},
      created: new Date('2026-11-22T10:00:00Z'),
      position: { commit: nextCommit, prepare: nextCommit },
    },
  } as unknown as AllStreamResolvedEvent
}

/** A stand-in for the gRPC client over a fixed $all; records what the adapter asked of it. */
const standIn = (all: readonly AllStreamResolvedEvent[]) => {
  const asked = { filters: [] as unknown[], appendedTo: [] as string[], readFrom: [] as string[], metadata: [] as [string, unknown][] }
  const client = {
    subscribeToAll: (options: { readonly filter?: unknown }) => {
      asked.filters.push(options.filter)
      return Object.assign(Readable.from(all), { unsubscribe: async () => {} })
    },
    readAll: () => Readable.from(all),
    readStream: (name: string) => {
      asked.readFrom.push(name)
      return Readable.from(all.filter((e) => e.event?.streamId === name))
    },
    appendToStream: async (name: string) => {
      asked.appendedTo.push(name)
      nextCommit += 1n
      return { success: true, nextExpectedRevision: 0n, position: { commit: nextCommit, prepare: nextCommit } }
    },
    setStreamMetadata: async (name: string, metadata: unknown) => {
      asked.metadata.push([name, metadata])
      return { success: true, nextExpectedRevision: 0n, position: { commit: nextCommit, prepare: nextCommit } }
    },
    dispose: async () => {},
  }
  return { client: client as unknown as EventStoreDbClient, asked }
}

const drain = async (store: EventStore): Promise<RecordedEvent[]> => {
  const seen: RecordedEvent[] = []
  for await (const event of store.subscribeToAll()) seen.push(event)
  return seen
}

const names = (events: readonly RecordedEvent[]) => events.map((e) => [e.streamName, e.type])

describe('eventstoredb: only our events', () => {
  const all = [
    resolved('orders-17', 'OrderPlaced'), // another application's JSON event
    resolved('licensing.order-1', 'LicenseOrderCreated'),
    resolved('$$licensing.order-1', '$metadata'),
    resolved('licensing-reports-2', 'ReportRun'), // a look-alike without our separator
    resolved('licensing.customer-1', 'CustomerCreated'),
  ]

  it('a subscriber never sees another application\'s event: the server is asked for our prefix, and anything else it sends is dropped', async () => {
    const { client, asked } = standIn(all)
    const store = createEventStoreDbEventStore({ client })

    expect(names(await drain(store))).toEqual([
      ['order-1', 'LicenseOrderCreated'],
      ['customer-1', 'CustomerCreated'],
    ])
    expect(asked.filters).toEqual([streamNameFilter({ prefixes: ['licensing.'] })])
  })

  it('reads of $all keep our streams only, under their logical names', async () => {
    const { client } = standIn(all)
    const store = createEventStoreDbEventStore({ client })

    expect(names(await store.readAll({ maxCount: 100 }))).toEqual([
      ['order-1', 'LicenseOrderCreated'],
      ['customer-1', 'CustomerCreated'],
    ])
  })

  it('an event of ours that is not JSON stops the subscriber loudly; a foreign one that is not JSON is not looked at', async () => {
    const { client } = standIn([resolved('images-1', 'Uploaded', { isJson: false }), resolved('licensing.order-9', 'LicenseOrderCreated', { isJson: false })])
    const store = createEventStoreDbEventStore({ client })

    await expect(drain(store)).rejects.toThrow(UnreadableEvent)
    await expect(drain(store)).rejects.toThrow(/licensing\.order-9 is not JSON/)
  })
})

describe('eventstoredb: retention', () => {
  it('is the stream’s metadata, $maxAge and $maxCount, under its name on the server; none given clears it', async () => {
    const { client, asked } = standIn([])
    const store = createEventStoreDbEventStore({ client })
    await store.setStreamRetention('seat-1', { maxAgeSeconds: 691_200 })
    await store.setStreamRetention('seat-2', { maxAgeSeconds: 60, maxCount: 10 })
    await store.setStreamRetention('seat-1', {})
    expect(asked.metadata).toEqual([
      ['licensing.seat-1', { maxAge: 691_200 }],
      ['licensing.seat-2', { maxAge: 60, maxCount: 10 }],
      ['licensing.seat-1', {}],
    ])
    await expect(store.setStreamRetention('seat-3', { maxCount: -1 })).rejects.toThrow(RangeError)
  })
})

describe('eventstoredb: stream names', () => {
  it('writes and reads a stream under its prefixed name, and reports the logical one', async () => {
    const { client, asked } = standIn([resolved('tenant_a:order-1', 'LicenseOrderCreated')])
    const store = createEventStoreDbEventStore({ client, streams: { prefix: 'tenant_a:', legacy: false } })

    await store.appendToStream('order-2', [{ id: uuid(), type: 'LicenseOrderCreated', data: {}, metadata: {} }], ExpectedVersion.noStream)
    const read = await store.readStream('order-1')

    expect(asked.appendedTo).toEqual(['tenant_a:order-2'])
    expect(asked.readFrom).toEqual(['tenant_a:order-1'])
    expect(names(read)).toEqual([['order-1', 'LicenseOrderCreated']])
  })

  it('legacy names: the streams of the old categories stay unprefixed, new ones get the prefix, and the filter selects both', async () => {
    const { client, asked } = standIn([
      resolved('order-1', 'LicenseOrderCreated'),
      resolved('licensing.report-1', 'ReportRun'),
      resolved('invoice-1', 'InvoiceSent'),
    ])
    const store = createEventStoreDbEventStore({ client, streams: { prefix: 'licensing.', legacy: true } })

    for (const stream of ['order-2', 'productTemplate-3', 'report-4']) {
      await store.appendToStream(stream, [{ id: uuid(), type: 'X', data: {}, metadata: {} }], ExpectedVersion.any)
    }

    expect(asked.appendedTo).toEqual(['order-2', 'productTemplate-3', 'licensing.report-4'])
    expect(names(await drain(store))).toEqual([
      ['order-1', 'LicenseOrderCreated'],
      ['report-1', 'ReportRun'],
    ])
    expect(asked.filters).toEqual([
      streamNameFilter({
        prefixes: ['licensing.', 'activationKey-', 'apiKey-', 'customer-', 'idempotency-', 'lockout-', 'order-', 'product-', 'productTemplate-', 'sequence-', 'webhookEndpoint-'],
      }),
    ])
  })

  it('every logical name comes back from its stored name, and no stored name is claimed twice', () => {
    const logical = ['order-1', 'productTemplate-2', 'product-3', 'report-4', 'Template-5', 'idempotency-admin:key']
    for (const settings of [
      { prefix: 'licensing.', legacy: false },
      { prefix: 'licensing.', legacy: true },
      { prefix: 'product_', legacy: true },
    ]) {
      const namespace = streamNamespace(settings)
      const stored = logical.map(namespace.stored)
      expect(stored.map(namespace.logical), JSON.stringify(settings)).toEqual(logical)
      expect(new Set(stored).size).toBe(logical.length)
      for (const name of stored) expect(namespace.prefixes.some((p) => name.startsWith(p))).toBe(true)
    }
    // Under the legacy settings a prefixed old category was never written by this engine.
    expect(streamNamespace({ prefix: 'licensing.', legacy: true }).logical('licensing.order-1')).toBe(null)
  })
})

describe('eventstoredb: which failures a retry can cure', () => {
  // What grpc-js hands the client: a status code, details, and the server's metadata.
  const serviceError = (code: number, details: string, metadata: Record<string, string> = {}): Error =>
    Object.assign(new Error(`${code} ${details}`), { code, details, metadata: { getMap: () => metadata } })
  const GRPC = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ABORTED: 10, UNAVAILABLE: 14, UNAUTHENTICATED: 16 }

  it('unavailable, not leader, deadline exceeded, aborted and cancelled by the server are transient', () => {
    for (const error of [
      serviceError(GRPC.UNAVAILABLE, 'No connection established'),
      serviceError(GRPC.UNAVAILABLE, 'Leader info available', { exception: 'not-leader', 'leader-endpoint-host': 'node2', 'leader-endpoint-port': '2113' }),
      serviceError(GRPC.DEADLINE_EXCEEDED, 'Deadline exceeded'),
      serviceError(GRPC.ABORTED, 'Operation timed out'),
      serviceError(GRPC.CANCELLED, 'Call cancelled'),
    ]) {
      const converted = convertToCommandError(error)
      expect(transientOf(converted), converted.constructor.name).toBeInstanceOf(StoreUnavailable)
      expect(transientOf(converted)?.cause).toBe(converted)
    }
    expect(transientOf(new Error('Failed to discover after 10 attempts.'))).toBeInstanceOf(StoreUnavailable)
  })

  it('a conflict, access denied, a missing resource, our own cancellation or a plain bug are not', () => {
    for (const error of [
      new WrongExpectedVersionError(undefined, { streamName: 'licensing.order-1', expected: 0n, current: 1n }),
      convertToCommandError(serviceError(GRPC.UNAUTHENTICATED, 'Access denied')),
      convertToCommandError(serviceError(GRPC.NOT_FOUND, 'Not found')),
      convertToCommandError(serviceError(GRPC.CANCELLED, 'Cancelled on client')),
      new TypeError('undefined is not a function'),
      'not even an error',
    ]) {
      expect(transientOf(error)).toBe(null)
    }
  })
})
