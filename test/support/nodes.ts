// Several engine nodes on one event log, as the README's "Running several
// nodes" has an operator run them: real engine processes (`npm start`), each
// with a data directory of its own, all on one embedded log
// (LICENSING_EVENT_LOG), sharing the secrets nodes must share; one of them
// at a time (the leader of each role) sends mail and delivers webhooks. Started through useEngines()
// (engine.ts), so they are killed and their directories removed after each test.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { EventStore } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import type { EngineProcess } from './process.js'
import { ADMIN_TOKEN, client, type Client } from './server.js'
import type { TempDir } from './tmp.js'

export interface Node {
  readonly url: string
  readonly api: Client
  /** Its data directory: read models, outboxes. */
  readonly dataDir: string
  readonly process: EngineProcess
}

export interface Nodes {
  readonly nodes: readonly Node[]
  /** The event log they share. */
  readonly eventLog: string
  /** Runs `read` on the shared log, opened for the time it takes (what the log says, not what a node answers). */
  readonly readLog: <A>(read: (store: EventStore) => Promise<A>) => Promise<A>
  /** Starts one more node on the log (a node added later), with the next index: it joins `nodes`. */
  readonly add: () => Promise<Node>
}

export interface NodesOptions {
  /** Settings for every node, over the harness's. */
  readonly env?: Readonly<Record<string, string>>
  /** Settings for the node at `index` (from 0), over those. */
  readonly node?: (index: number) => Readonly<Record<string, string>>
}

/** The secrets every node on one log must share (README, Configuration). */
export const sharedSecrets = (): Record<string, string> => ({
  LICENSING_ADMIN_TOKEN: ADMIN_TOKEN,
  LICENSING_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  LICENSING_WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
})

export interface Spawner {
  readonly dir: (label?: string) => TempDir
  readonly spawn: (env: Record<string, string>) => Promise<EngineProcess>
}

/** `count` nodes on a new log, started together (so they also open and set up the log at the same time). */
export const startNodes = async ({ dir, spawn }: Spawner, count: number, options: NodesOptions = {}): Promise<Nodes> => {
  const home = dir('nodes')
  const eventLog = home.file('events.sqlite')
  const shared = { ...sharedSecrets(), LICENSING_EVENT_LOG: eventLog, SEAT_SWEEP_INTERVAL_MS: '0', ...options.env }
  const envOf = (index: number): Record<string, string> => ({
    ...shared,
    LICENSING_DATA_DIR: join(home.path, `node-${index + 1}`),
    ...options.node?.(index),
  })
  const envs = Array.from({ length: count }, (_, index) => envOf(index))
  const processes = await Promise.all(envs.map((env) => spawn(env)))
  const nodes: Node[] = processes.map((process, index) => ({ url: process.url, api: client(process), dataDir: envs[index]!.LICENSING_DATA_DIR!, process }))
  return {
    nodes,
    eventLog,
    add: async () => {
      const env = envOf(nodes.length)
      const process = await spawn(env)
      const node = { url: process.url, api: client(process), dataDir: env.LICENSING_DATA_DIR!, process }
      nodes.push(node)
      return node
    },
    readLog: async (read) => {
      const store = createSqliteEventStore({ path: eventLog })
      try {
        return await read(store)
      } finally {
        await store.close()
      }
    },
  }
}
