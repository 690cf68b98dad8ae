// The one HTTP test fixture: a real engine on a loopback port with its data
// in a temporary directory, stopped and the directory removed afterwards.
//   useEngine(options)  one engine for the file (or the describe block it is
//                       called in): started before its tests, stopped after.
//                       It stands for the running server, so `client(server)`
//                       and `server.clock` may be taken before it starts.
//   useEngines()        engines a test starts itself (restarts, a second node,
//                       an engine in a process of its own, several nodes on
//                       one log), all stopped and their directories removed
//                       after each test.
//   useNodes(count)     several engine processes on one log (nodes.ts) for the
//                       file or describe block, as useEngine is one engine.
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startNodes, type Nodes, type NodesOptions } from './nodes.js'
import { spawnEngine, type EngineProcess } from './process.js'
import { startTestServer, type TestServer, type TestServerOptions } from './server.js'
import { makeTempDir, type TempDir } from './tmp.js'

/** Stops a server, then removes each data directory once. */
const cleanUp = async (servers: readonly TestServer[], processes: readonly EngineProcess[], dirs: readonly TempDir[]): Promise<void> => {
  for (const server of servers) await server.stop()
  for (const engine of processes) await engine.kill()
  for (const path of new Set(dirs.map((dir) => dir.path))) dirs.find((dir) => dir.path === path)!.remove()
}

export const useEngine = (options: TestServerOptions | (() => TestServerOptions) = {}): TestServer => {
  let current: TestServer | null = null
  const started = (): TestServer => {
    if (current === null) throw new Error('the engine is used before it started (use it inside a test or a beforeAll)')
    return current
  }
  beforeAll(async () => {
    current = await startTestServer(typeof options === 'function' ? options() : options)
  })
  afterAll(async () => {
    if (current !== null) await cleanUp([current], [], [current.dir])
  })
  return {
    get url() {
      return started().url
    },
    get dir() {
      return started().dir
    },
    get clock() {
      return started().clock
    },
    get running() {
      return started().running
    },
    get logs() {
      return started().logs
    },
    rawLogs: () => started().rawLogs(),
    restart: async () => (current = await started().restart()),
    stop: () => started().stop(),
  }
}

/** Engines started through it, stopped (and their directories removed) all at once by `cleanUp`. */
const engineSet = () => {
  const servers: TestServer[] = []
  const processes: EngineProcess[] = []
  const dirs: TempDir[] = []
  const track = (server: TestServer): TestServer => {
    servers.push(server)
    dirs.push(server.dir)
    return { ...server, restart: async () => track(await server.restart()) }
  }
  /** A data directory for engines started on it, in this process or another. */
  const dir = (label = 'engine'): TempDir => {
    const made = makeTempDir(label)
    dirs.push(made)
    return made
  }
  /** An engine in a process of its own (`npm start`), so a test can kill it. */
  const spawn = async (env: Record<string, string>): Promise<EngineProcess> => {
    const engine = await spawnEngine(env)
    processes.push(engine)
    return engine
  }
  return {
    engines: {
      /** An engine in this process. */
      start: async (options: TestServerOptions = {}): Promise<TestServer> => track(await startTestServer(options)),
      dir,
      spawn,
      /** `count` engine processes on one embedded log, each with a data directory of its own, sharing their secrets (nodes.ts). */
      nodes: (count: number, options: NodesOptions = {}): Promise<Nodes> => startNodes({ dir, spawn }, count, options),
    },
    cleanUp: () => cleanUp(servers.splice(0), processes.splice(0), dirs.splice(0)),
  }
}

export const useEngines = () => {
  const { engines, cleanUp: stopAll } = engineSet()
  afterEach(stopAll)
  return engines
}

/** `count` nodes on one log (nodes.ts) for the file or the describe block it is called in: started before its tests, killed after. */
export const useNodes = (count: number, options: NodesOptions = {}): Nodes => {
  const { engines, cleanUp: stopAll } = engineSet()
  let current: Nodes | null = null
  const started = (): Nodes => {
    if (current === null) throw new Error('the nodes are used before they started (use them inside a test or a beforeAll)')
    return current
  }
  beforeAll(async () => {
    current = await engines.nodes(count, options)
  })
  afterAll(stopAll)
  return {
    get nodes() {
      return started().nodes
    },
    get eventLog() {
      return started().eventLog
    },
    readLog: (read) => started().readLog(read),
    add: () => started().add(),
  }
}
