// A real EventStoreDB for tests: the server named by EVENTSTORE_CONNECTION_STRING,
// else a throwaway container. Where neither can run, the reason is returned so
// the tests are reported as skipped with it.

// The current long-term-support server, as docker-compose.yml runs it; EVENTSTORE_IMAGE picks another
// (an EventStoreDB image before 25.0 reads EVENTSTORE_* settings instead of KURRENTDB_*).
const IMAGE = process.env.EVENTSTORE_IMAGE ?? 'docker.kurrent.io/kurrent-lts/kurrentdb:26.0.3'
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

export interface EventStoreDbServer {
  readonly connectionString: string
  /** True for the server named by EVENTSTORE_CONNECTION_STRING, whose log other tests write to as well. */
  readonly shared: boolean
  readonly stop: () => Promise<void>
}

export const eventStoreDb = async (): Promise<EventStoreDbServer | { readonly skip: string }> => {
  const given = process.env.EVENTSTORE_CONNECTION_STRING
  if (given !== undefined && given !== '') return { connectionString: given, shared: true, stop: async () => {} }

  const missing = await missingRuntime()
  if (missing !== null) {
    return { skip: `no EventStoreDB: EVENTSTORE_CONNECTION_STRING is unset and no container runtime (${missing})` }
  }

  const { GenericContainer, Wait } = await import('testcontainers')
  // Settings as documented for KurrentDB 26.0 (prefix KURRENTDB_; MemDb is deprecated there but still read).
  const container = await new GenericContainer(IMAGE)
    .withEnvironment({
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_RUN_PROJECTIONS: 'None',
      KURRENTDB_START_STANDARD_PROJECTIONS: 'false',
      KURRENTDB_MEM_DB: 'true',
      KURRENTDB_CLUSTER_SIZE: '1',
      KURRENTDB_NODE_PORT: String(HTTP_PORT),
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
  return {
    connectionString: `esdb://${container.getHost()}:${container.getMappedPort(HTTP_PORT)}?tls=false`,
    shared: false,
    stop: async () => {
      await container.stop()
    },
  }
}

