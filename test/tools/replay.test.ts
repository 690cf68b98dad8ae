// `licensing replay` as a real child process, against a data directory a real
// server wrote (and keeps writing to while the replay runs).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { v4 as uuid } from 'uuid'
import { encodeEvent } from '../../src/application/event-codec.js'
import { ExpectedVersion } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { createCustomer, createTemplate, issueKey, seedOrder } from '../support/fixtures.js'
import { client, startTestServer, type Client, type TestServer } from '../support/server.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `licensing replay <args>` on a data directory; asynchronously, so the server in this process keeps answering. */
const runReplay = (dataDir: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, 'replay', ...args],
      { env: { ...process.env, LICENSING_DATA_DIR: dataDir, EVENTSTORE_CONNECTION_STRING: '', ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    )
  })

describe('licensing replay', () => {
  let server: TestServer
  let api: Client
  let work: TempDir

  beforeAll(async () => {
    work = makeTempDir('replay')
    server = await startTestServer()
    api = client(server)
    const customer = await createCustomer(api)
    const template = await createTemplate(api, '1')
    for (const key of ['REPLAY-0001', 'REPLAY-0002', 'REPLAY-0003']) {
      expect((await api.post('/license-orders', { ...seedOrder(customer, template), activation_key: key })).status).toBe(201)
    }
    expect((await api.patch('/license-orders/REPLAY-0001', { ...seedOrder(customer, template), activations_allowed: 12 })).status).toBe(200)
    expect((await api.patch(`/api/v2/clients/${customer}/license`, { activationKey: 'REPLAY-0001B' })).status).toBe(200)
    await issueKey(api, { product_id: '1' })
    // The read models hold every write so far.
    expect((await api.get('/license-orders/REPLAY-0001B')).status).toBe(200)
  })
  afterAll(async () => {
    await server.stop()
    server.dir.remove()
    work.remove()
  })

  it('rebuilds the read models into a fresh place and says how far it went', async () => {
    const into = join(work.path, 'rebuilt')
    const run = await runReplay(server.dir.path, ['--into', into])
    expect(run.code, run.stderr).toBe(0)
    const head = (await server.running.store.headPosition())!
    expect(run.stderr).toMatch(new RegExp(`replay: \\d+ events in [\\d.]+ s \\(\\d+ events/s\\), up to position ${head}`))
    expect(run.stdout).toContain(`replayed into ${join(into, 'read-models.sqlite')}`)
    const rebuilt = new Database(join(into, 'read-models.sqlite'), { readonly: true })
    expect(rebuilt.prepare("SELECT position FROM checkpoints WHERE name = 'read-models'").pluck().get()).toBe(head.toString())
    expect(rebuilt.prepare('SELECT COUNT(*) FROM audit_events').pluck().get()).toBe(Number(head))
    expect(rebuilt.prepare('SELECT COUNT(*) FROM license_orders').pluck().get()).toBe(3)
    rebuilt.close()

    const again = await runReplay(server.dir.path, ['--into', into])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already exists: replay needs a fresh place/)
  })

  it('reads the log LICENSING_EVENT_LOG names, outside the data directory', async () => {
    const elsewhere = makeTempDir('replay-elsewhere')
    try {
      const log = join(elsewhere.path, 'shared-events.sqlite')
      await createSqliteEventStore({ path: log }).close()
      const missing = await runReplay(elsewhere.path, [], { LICENSING_EVENT_LOG: join(elsewhere.path, 'no-such.sqlite') })
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain(`no event log at ${join(elsewhere.path, 'no-such.sqlite')}`)
      const run = await runReplay(join(elsewhere.path, 'data'), ['--into', join(elsewhere.path, 'rebuilt')], { LICENSING_EVENT_LOG: log })
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain(`replayed into ${join(elsewhere.path, 'rebuilt', 'read-models.sqlite')}`)
    } finally {
      elsewhere.remove()
    }
  })

  it('verifies the live read models against the log while the server keeps writing', async () => {
    let writing = true
    let writes = 0
    const writer = (async () => {
      while (writing) {
        const res = await api.patch('/license-orders/REPLAY-0002', { ...seedOrder(1, 1), activations_allowed: 20 + (writes % 50) })
        expect(res.status).toBe(200)
        writes += 1
      }
    })()
    const run = await runReplay(server.dir.path, ['--verify', '--into', join(work.path, 'verified')])
    writing = false
    await writer
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toMatch(/^verified: the read models rebuilt from the log match the live ones \(\d+ tables, \d+ rows, up to position \d+\)\n$/)
    expect(writes).toBeGreaterThan(0)
  })

  it('verifies up to where the live read models are when they are behind the log', async () => {
    const caughtUp = (await server.running.store.headPosition())!
    expect((await api.get('/license-orders/REPLAY-0002')).status).toBe(200)
    await server.stop()
    // Events the live runner never saw: the server is down.
    const store = createSqliteEventStore({ path: join(server.dir.path, 'events.sqlite') })
    const meta = { actor: 'offline-import', correlationId: 'c', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
    await store.appendToStream('sequence-offline', [encodeEvent({ type: 'IdAllocated', data: { id: 1, at: '2026-11-22T10:00:00.000Z' } }, meta, uuid())], ExpectedVersion.noStream)
    await store.close()

    const run = await runReplay(server.dir.path, ['--verify', '--into', join(work.path, 'behind')])
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stderr).toContain(`up to the live checkpoint (position ${caughtUp})`)
    expect(run.stdout).toContain(`up to position ${caughtUp})`)
  })

  it('reports a live read-model row that the log does not account for, and exits 1', async () => {
    const live = new Database(join(server.dir.path, 'read-models.sqlite'))
    live.pragma('busy_timeout = 10000')
    const orderId = live.prepare("SELECT order_id FROM license_orders WHERE activation_key = 'REPLAY-0003'").pluck().get() as string
    live.prepare("UPDATE license_orders SET state = replace(state, '\"activations_allowed\":10', '\"activations_allowed\":99') WHERE order_id = ?").run(orderId)
    live.prepare("DELETE FROM audit_subjects WHERE subject IN (SELECT id FROM audit_terms WHERE kind = 'product')").run()
    live.close()
    const run = await runReplay(server.dir.path, ['--verify', '--into', join(work.path, 'corrupted')])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toContain('difference in table license_orders: 1 row(s) only in the live read models, 1 only in the replay')
    expect(run.stdout).toMatch(/ {2}live: {5}\{.*"activations_allowed\\":99/)
    expect(run.stdout).toMatch(/ {2}replayed: \{.*"activations_allowed\\":10/)
    expect(run.stdout).toMatch(/difference in table audit_subjects: 0 row\(s\) only in the live read models, \d+ only in the replay/)
    expect(run.stdout).toMatch(/the live read models differ from the log in 2 table\(s\)/)
  })

  it('refuses to run without an event log, without live read models to verify, or with an unknown argument', async () => {
    const empty = makeTempDir('replay-empty')
    try {
      const noLog = await runReplay(empty.path, [])
      expect(noLog.code).toBe(2)
      expect(noLog.stderr).toMatch(/no event log at/)
      expect(existsSync(join(empty.path, 'events.sqlite'))).toBe(false)
      await createSqliteEventStore({ path: join(empty.path, 'events.sqlite') }).close()
      const noReadModels = await runReplay(empty.path, ['--verify'])
      expect(noReadModels.code).toBe(2)
      expect(noReadModels.stderr).toMatch(/no live read models to verify at/)
    } finally {
      empty.remove()
    }
    const bogus = await runReplay(server.dir.path, ['--bogus'])
    expect(bogus.code).toBe(2)
    expect(bogus.stderr).toContain('usage: licensing replay [--verify] [--into <dir>]')
  })
})
