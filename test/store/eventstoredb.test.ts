// The event store contract against a real EventStoreDB: the server named by
// EVENTSTORE_CONNECTION_STRING, else a throwaway container. Where neither can
// run, every contract test is reported as skipped with the reason.
import { describe, expect, it } from 'vitest'
import { createEventStoreDbEventStore, packPosition, unpackPosition } from '../../src/store/eventstoredb.js'
import { describeEventStore, type StoreFixture } from './contract.js'

// EVENTSTORE_IMAGE picks another image, e.g. docker.eventstore.com/eventstore/eventstoredb-ee:24.10.
const IMAGE = process.env.EVENTSTORE_IMAGE ?? 'eventstore/eventstore:24.10'
const HTTP_PORT = 2113
// Finding the runtime is a local socket check when there is one; an unreachable
// remote DOCKER_HOST could otherwise hold the whole suite for minutes.
const RUNTIME_PROBE_MS = 5_000

const oneLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim()

const withTimeout = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)
    timer.unref()
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })

/** Null when a container runtime answers, else why not. */
const missingRuntime = async (): Promise<string | null> => {
  try {
    // Imported here so a run against EVENTSTORE_CONNECTION_STRING never loads testcontainers.
    const { getContainerRuntimeClient } = await import('testcontainers')
    await withTimeout(getContainerRuntimeClient(), RUNTIME_PROBE_MS, 'the container runtime')
    return null
  } catch (error) {
    return oneLine(error)
  }
}

const fixtureFor = (connectionString: string, stop: () => Promise<unknown> = async () => {}): StoreFixture => {
  const store = createEventStoreDbEventStore({ connectionString })
  return {
    store,
    dispose: async () => {
      await store.close()
      await stop()
    },
  }
}

const makeStore = async (): Promise<StoreFixture | { readonly skip: string }> => {
  const given = process.env.EVENTSTORE_CONNECTION_STRING
  if (given !== undefined && given !== '') return fixtureFor(given)

  const missing = await missingRuntime()
  if (missing !== null) {
    return { skip: `no EventStoreDB: EVENTSTORE_CONNECTION_STRING is unset and no container runtime (${missing})` }
  }

  const { GenericContainer, Wait } = await import('testcontainers')
  // Env names as documented for 24.10 (ClusterVNodeOptions, prefix EVENTSTORE_).
  const container = await new GenericContainer(IMAGE)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_START_STANDARD_PROJECTIONS: 'false',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_NODE_PORT: String(HTTP_PORT),
    })
    .withExposedPorts(HTTP_PORT)
    // Live (204) comes as soon as HTTP is up; writes need the node to have
    // been elected leader, which it logs.
    .withWaitStrategy(
      Wait.forAll([
        Wait.forHttp('/health/live', HTTP_PORT).forStatusCodeMatching((status) => status >= 200 && status < 300),
        Wait.forLogMessage(/IS LEADER\.\.\. SPARTA!/),
      ]),
    )
    .withStartupTimeout(150_000)
    .start()
  return fixtureFor(`esdb://${container.getHost()}:${container.getMappedPort(HTTP_PORT)}?tls=false`, () =>
    container.stop(),
  )
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
