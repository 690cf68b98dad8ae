// `licensing backup` of a running engine under write load, as a real child
// process, then `licensing restore` into a new data directory: the restored
// read models verify against the restored log (`replay --verify`), and every
// write the engine acknowledged before the backup started is there.
import { execFile } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/command-line.js'
import type { Manifest } from '../../src/tools/backup.js'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { client, startTestServer, type Client, type TestServer } from '../support/server.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `licensing <args>` in this process, its output captured. */
const cli = async (args: readonly string[], env: Record<string, string>): Promise<Run> => {
  let stdout = ''
  let stderr = ''
  const code = await main(args, { ...process.env, EVENTSTORE_CONNECTION_STRING: '', LICENSING_EVENT_LOG: '', ...env }, {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
  })
  return { code, stdout, stderr }
}

/** `licensing <args>` as a child process: asynchronously, so the server in this process keeps answering. */
const cliProcess = (args: readonly string[], env: Record<string, string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { env: { ...process.env, EVENTSTORE_CONNECTION_STRING: '', LICENSING_EVENT_LOG: '', ...env }, encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    )
  })

/** At most this many writes under load, whatever happens. */
const MAX_LOAD_WRITES = 1_500

describe('licensing backup and restore', () => {
  let server: TestServer
  let api: Client
  let work: TempDir
  let customer: number
  let template: number

  beforeAll(async () => {
    work = makeTempDir('backup')
    server = await startTestServer()
    api = client(server)
    customer = await createCustomer(api)
    template = await createTemplate(api, '1')
  })
  afterAll(async () => {
    await server.stop()
    server.dir.remove()
    work.remove()
  })

  it('copies a running engine under write load; the restore verifies and holds every acknowledged write', async () => {
    const acknowledged: { key: string; at: number }[] = []
    let next = 0
    let stop = false
    let underLoad: () => void = () => {}
    const loaded = new Promise<void>((resolve) => (underLoad = resolve))
    const write = async (): Promise<void> => {
      const key = `BACKUP-${String(next++).padStart(5, '0')}`
      const created = await api.post('/license-orders', { ...seedOrder(customer, template), activation_key: key })
      expect(created.status).toBe(201)
      acknowledged.push({ key, at: Date.now() })
      if (acknowledged.length === 30) underLoad()
    }
    for (let i = 0; i < 20; i += 1) await write()
    // Three writers keep writing while the backup runs (bounded), then stop.
    const writers = Array.from({ length: 3 }, async () => {
      while (!stop && next < MAX_LOAD_WRITES) await write()
    })
    // The backup starts once the writers have had writes acknowledged.
    await loaded
    const backupStarted = Date.now()
    const backupDir = join(work.path, 'backup')
    const backup = await cliProcess(['backup', backupDir], { LICENSING_DATA_DIR: server.dir.path })
    stop = true
    await Promise.all(writers)
    expect(backup.stderr + backup.stdout).toContain('backed up')
    expect(backup.code).toBe(0)
    const before = acknowledged.filter((w) => w.at < backupStarted)
    const during = acknowledged.filter((w) => w.at >= backupStarted)
    expect(before.length).toBeGreaterThan(20)
    expect(during.length).toBeGreaterThan(0)

    // The manifest: every SQLite file, the event log last, each with its hash; no secret without --include-secrets.
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as Manifest
    const names = manifest.files.map((f) => f.name)
    expect(names.filter((n) => n.endsWith('.sqlite')).at(-1)).toBe('events.sqlite')
    expect(names).toEqual(expect.arrayContaining(['read-models.sqlite', 'webhooks.sqlite', 'mailer.sqlite', 'events.sqlite']))
    expect(manifest.secrets).toBe(false)
    expect(names).not.toContain('signing-key.pem')
    expect(names).not.toContain('webhook-secret-key')

    // Restored into a new directory, the read models are what the restored log says.
    const restored = join(work.path, 'restored')
    const restore = await cli(['restore', backupDir], { LICENSING_DATA_DIR: restored })
    expect(restore.stderr).toBe('')
    expect(restore.code).toBe(0)
    const verify = await cliProcess(['replay', '--verify', '--into', join(work.path, 'replayed')], { LICENSING_DATA_DIR: restored })
    expect(verify.stdout).toContain('verified: the read models rebuilt from the log match the live ones')
    expect(verify.code).toBe(0)

    // An engine on the restored directory answers for every write acknowledged before the backup began.
    const again = await startTestServer({ dir: { path: restored, file: (name) => join(restored, name), remove: () => {} } })
    try {
      const restoredApi = client(again)
      for (const { key } of before) expect((await restoredApi.get(`/license-orders/${key}`)).status, key).toBe(200)
      // A write acknowledged while the backup ran is in it or not, never half: each is found whole (as the
      // engine that took it answers for it) or not at all.
      for (const { key } of during) {
        const found = await restoredApi.get(`/license-orders/${key}`)
        if (found.status === 404) continue
        const live = await api.get(`/license-orders/${key}`)
        expect({ status: found.status, body: found.body }, key).toEqual({ status: 200, body: live.body })
      }
    } finally {
      await again.stop()
    }
  }, 240_000)

  it('copies the secrets only when asked, readable by the owner only', async () => {
    const dir = join(work.path, 'with-secrets')
    const run = await cli(['backup', dir, '--include-secrets'], { LICENSING_DATA_DIR: server.dir.path })
    expect(run.code).toBe(0)
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
    expect(manifest.secrets).toBe(true)
    const secrets = manifest.files.filter((f) => f.kind === 'secret').map((f) => f.name)
    expect(secrets).toEqual(expect.arrayContaining(['signing-key.pem', 'webhook-secret-key']))
    for (const name of secrets) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dir, 'signing-key.pem'), 'utf8')).toBe(readFileSync(join(server.dir.path, 'signing-key.pem'), 'utf8'))
  })

  it('refuses a non-empty backup directory, a restore over existing databases, and a damaged backup', async () => {
    const dir = join(work.path, 'checked')
    expect((await cli(['backup', dir], { LICENSING_DATA_DIR: server.dir.path })).code).toBe(0)
    const again = await cli(['backup', dir], { LICENSING_DATA_DIR: server.dir.path })
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('is not empty')

    const over = await cli(['restore', dir], { LICENSING_DATA_DIR: server.dir.path })
    expect(over.code).toBe(2)
    expect(over.stderr).toContain('--force')

    writeFileSync(join(dir, 'read-models.sqlite'), 'not what was copied')
    const damaged = await cli(['restore', dir], { LICENSING_DATA_DIR: join(work.path, 'never') })
    expect(damaged.code).toBe(2)
    expect(damaged.stderr).toContain('read-models.sqlite does not match its SHA-256')
  })
})
