// `licensing verify-log` against copies of a real engine's SQLite log: it
// passes the log as written (and as its seat streams' retention trimmed it),
// and names the first position that differs when one event was edited,
// removed, inserted or reordered, or when the chain was rewritten to match.
import { writeFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { verifyLogCommand } from '../../src/tools/verify-log.js'
import { eventDigest, GENESIS_LINK, nextLink } from '../../src/chain/links.js'
import { chainedOf } from '../../src/store/sqlite-chain.js'
import { babelClient, clientBody, createLicense } from '../support/babel.js'
import { useEngine } from '../support/engine.js'
import { createCustomer, createTemplate } from '../support/fixtures.js'
import { client } from '../support/server.js'
import { makeTempDir } from '../support/tmp.js'

const DAY_MS = 86_400_000

describe('licensing verify-log', () => {
  const server = useEngine({ config: { leaseHistoryRetentionDays: 8 } })
  const api = client(server)
  const babel = babelClient(server)
  const work = makeTempDir('verify-log')
  let copies = 0
  let jwksFile: string
  let live: string

  /** A copy of the live log, taken online (the engine keeps running). */
  const copy = async (): Promise<string> => {
    const path = work.file(`copy-${(copies += 1)}.sqlite`)
    const db = new Database(live, { readonly: true })
    await db.backup(path)
    db.close()
    return path
  }

  const verify = async (path: string): Promise<{ code: number; out: string }> => {
    let out = ''
    const code = await verifyLogCommand(['--jwks', jwksFile], { LICENSING_DATA_DIR: work.path, LICENSING_EVENT_LOG: path }, { out: (t) => (out += t), err: () => undefined })
    return { code, out }
  }

  const withDb = <A>(path: string, change: (db: Database.Database) => A): A => {
    const db = new Database(path)
    try {
      return change(db)
    } finally {
      db.close()
    }
  }

  /** A position in the middle of the signed part of the log, in a license's stream (never trimmed). */
  let target: number

  beforeAll(async () => {
    live = server.dir.file('events.sqlite')
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    const { key } = await createLicense(api, babel, customerId, templateId, 'CHAIN-1')
    await server.running.logCheckpoints.checkpoint()
    const tokens: string[] = []
    for (const n of [1, 2]) {
      const granted = await babel('request', clientBody(key, n))
      expect(granted.status).toBe(200)
      tokens.push(granted.body.licenseToken as string)
    }
    for (let beat = 0; beat < 3; beat += 1) {
      server.clock.advance(40_000)
      for (const licenseToken of tokens) expect((await babel('heartbeat', { licenseToken })).status).toBe(200)
    }
    await server.running.logCheckpoints.checkpoint()
    expect((await babel('release', { licenseToken: tokens[0] })).status).toBe(200)
    await server.running.logCheckpoints.checkpoint()
    // A tail after the last checkpoint: chained, not signed yet.
    await babel('request', clientBody(key, 3))
    jwksFile = work.file('jwks.json')
    writeFileSync(jwksFile, await (await fetch(`${server.url}/.well-known/jwks.json`)).text())
    target = withDb(live, (db) => {
      const row = db.prepare("SELECT position FROM events WHERE stream LIKE 'order-%' AND type = 'SeatGranted' ORDER BY position LIMIT 1").get() as { position: number }
      return row.position
    })
  })

  it('passes the log as the engine wrote it, with its checkpoints', async () => {
    const checkpoints = withDb(live, (db) => (db.prepare('SELECT COUNT(*) AS n FROM chain_checkpoints').get() as { n: number }).n)
    expect(checkpoints).toBeGreaterThanOrEqual(3)
    const result = await verify(await copy())
    expect(result.out).toMatch(/is intact: \d+ events chained up to position \d+, \d+ signed checkpoint\(s\) verified/)
    expect(result.code).toBe(0)
  })

  it('names the position of an edited event', async () => {
    const path = await copy()
    withDb(path, (db) => db.prepare("UPDATE events SET data = json_set(data, '$.clientName', 'Someone else') WHERE position = ?").run(target))
    const result = await verify(path)
    expect(result.code).toBe(1)
    expect(result.out).toContain(`first difference at position ${target}:`)
  })

  it('names the position of a removed event', async () => {
    const path = await copy()
    withDb(path, (db) => db.prepare('DELETE FROM events WHERE position = ?').run(target))
    const result = await verify(path)
    expect(result.code).toBe(1)
    expect(result.out).toContain(`first difference at position ${target}: the event at ${target}`)
    expect(result.out).toContain('was removed')
  })

  it('names the position of an inserted event (the later ones moved up to make room)', async () => {
    const path = await copy()
    withDb(path, (db) => {
      db.prepare('UPDATE events SET position = -(position + 1) WHERE position >= ?').run(target)
      db.prepare('UPDATE events SET position = -position WHERE position < 0').run()
      db.prepare(
        `INSERT INTO events (position, id, stream, revision, type, data, metadata, recorded_at)
         SELECT ?, 'forged-event', 'order-forged', 0, type, data, metadata, recorded_at FROM events WHERE position = ?`,
      ).run(target, target + 1)
    })
    const result = await verify(path)
    expect(result.code).toBe(1)
    expect(result.out).toContain(`first difference at position ${target}:`)
  })

  it('names the first position of two events swapped', async () => {
    const path = await copy()
    withDb(path, (db) => {
      db.prepare('UPDATE events SET position = -1 WHERE position = ?').run(target)
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(target, target + 1)
      db.prepare('UPDATE events SET position = ? WHERE position = -1').run(target + 1)
    })
    const result = await verify(path)
    expect(result.code).toBe(1)
    expect(result.out).toContain(`first difference at position ${target}:`)
  })

  it('names an event inserted after the last chained one', async () => {
    const path = await copy()
    const position = withDb(path, (db) => {
      const info = db
        .prepare("INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) SELECT 'forged-tail', 'order-forged', 0, type, data, metadata, recorded_at FROM events WHERE position = ?")
        .run(target)
      return Number(info.lastInsertRowid)
    })
    const result = await verify(path)
    expect(result.code).toBe(1)
    expect(result.out).toContain(`first difference at position ${position}: the event at ${position}`)
    expect(result.out).toContain('is not in the chain')
  })

  it('catches an edit whose chain was rewritten to match, at the checkpoint that signed the original', async () => {
    const path = await copy()
    const signedAfter = withDb(path, (db) => {
      db.prepare("UPDATE events SET data = json_set(data, '$.clientName', 'Someone else') WHERE position = ?").run(target)
      // Recompute every digest and link, as someone with write access but without the signing key could.
      let link = GENESIS_LINK
      const rows = db.prepare('SELECT * FROM events ORDER BY position').safeIntegers(true).all() as Parameters<typeof chainedOf>[0][]
      const update = db.prepare('UPDATE event_chain SET digest = ?, link = ? WHERE position = ?')
      for (const row of rows) {
        const digest = eventDigest(chainedOf(row))
        link = nextLink(link, digest)
        update.run(digest, link, row.position)
      }
      return (db.prepare('SELECT MIN(position) AS p FROM chain_checkpoints WHERE position >= ?').get(target) as { p: number }).p
    })
    const result = await verify(path)
    expect(result.code).toBe(1)
    expect(result.out).toContain(`first difference at position ${signedAfter}: the chain at ${signedAfter} is not the signed one`)
  })

  it('passes a log whose seat streams their retention trimmed, and only there', async () => {
    const path = await copy()
    // The engine's own store, nine days on, applies the seat streams' retention (eight days) to the copy.
    const later = new Date(server.clock.now().getTime() + 9 * DAY_MS)
    const store = createSqliteEventStore({ path, clock: () => later, retentionSweepIntervalMs: 0 })
    const seatStreams = withDb(path, (db) => (db.prepare('SELECT stream FROM stream_retention').all() as { stream: string }[]).map((r) => r.stream))
    expect(seatStreams.length).toBeGreaterThan(0)
    for (const stream of seatStreams) await store.setStreamRetention(stream, { maxAgeSeconds: 8 * 86_400 })
    await store.close()
    const trimmed = withDb(path, (db) => (db.prepare('SELECT COUNT(*) AS n FROM event_chain WHERE position NOT IN (SELECT position FROM events)').get() as { n: number }).n)
    expect(trimmed).toBeGreaterThan(0)
    const result = await verify(path)
    expect(result.out).toContain(`and ${trimmed} trimmed by retention`)
    expect(result.code).toBe(0)
    // The same removal from a stream with no retention is tampering.
    withDb(path, (db) => db.prepare('DELETE FROM stream_retention').run())
    const refused = await verify(path)
    expect(refused.code).toBe(1)
    expect(refused.out).toContain('its stream\'s retention does not explain it')
  })
})
