// The event store contract against a real EventStoreDB: the server named by
// EVENTSTORE_CONNECTION_STRING, else a throwaway container. Where neither can
// run, every contract test is reported as skipped with the reason.
import { describe, expect, it } from 'vitest'
import { createEventStoreDbEventStore, packPosition, unpackPosition } from '../../src/store/eventstoredb.js'
import { eventStoreDb } from '../support/eventstoredb.js'
import { describeEventStore, type StoreFixture } from './contract.js'

const makeStore = async (): Promise<StoreFixture | { readonly skip: string }> => {
  const server = await eventStoreDb()
  if ('skip' in server) return server
  const store = createEventStoreDbEventStore({ connectionString: server.connectionString })
  return {
    store,
    dispose: async () => {
      await store.close()
      await server.stop()
    },
    // The server's clock: $maxAge is judged against it.
    passTime: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
  }
}

describeEventStore('eventstoredb', makeStore)

describe('eventstoredb positions', () => {
  const max = 2n ** 64n - 1n

  it('packs (commit, prepare) into one bigint and back', () => {
    for (const position of [
      { commit: 0n, prepare: 0n },
      { commit: 1234n, prepare: 1234n },
      { commit: 1234n, prepare: 987n },
      { commit: max, prepare: max },
    ]) {
      expect(unpackPosition(packPosition(position))).toEqual(position)
    }
    expect(packPosition({ commit: 1n, prepare: 2n })).toBe(2n ** 64n + 2n)
  })

  it('keeps (commit, prepare) order: commit first, then prepare', () => {
    const ordered = [
      { commit: 0n, prepare: 0n },
      { commit: 0n, prepare: max },
      { commit: 1n, prepare: 0n },
      { commit: 1n, prepare: 1n },
      { commit: 500n, prepare: 400n },
      { commit: 500n, prepare: 500n },
      { commit: max, prepare: 0n },
      { commit: max, prepare: max },
    ]
    const packed = ordered.map(packPosition)
    for (let i = 1; i < packed.length; i += 1) {
      expect(packed[i - 1]! < packed[i]!).toBe(true)
    }
    const shuffled = [...packed].reverse().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    expect(shuffled.map(unpackPosition)).toEqual(ordered)
  })

  it('refuses what is not a position rather than wrapping it', () => {
    expect(() => packPosition({ commit: 0n, prepare: 2n ** 64n })).toThrow(RangeError)
    expect(() => packPosition({ commit: -1n, prepare: 0n })).toThrow(RangeError)
    expect(() => unpackPosition(-1n)).toThrow(RangeError)
    expect(() => unpackPosition(2n ** 128n)).toThrow(RangeError)
  })
})
