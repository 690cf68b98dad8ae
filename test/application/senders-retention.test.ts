// What a leadership stream keeps: every half lease its holder writes a
// renewal, for as long as it lives, and the lease's state is its last event;
// so the senders set the stream's retention when they start, and a role held
// for many renewals keeps only the last LEADERSHIP_KEPT events, while its
// holder goes on leading from them.
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { createSenders, LEADERSHIP_KEPT } from '../../src/application/senders.js'
import { noSnapshots } from '../../src/application/snapshots.js'
import { leadershipStream } from '../../src/domain/leadership/index.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { eventually } from '../support/eventually.js'
import { makeTempDir } from '../support/tmp.js'

describe('leadership streams under retention', () => {
  const dir = makeTempDir('senders-retention')
  const store = createSqliteEventStore({ path: dir.file('events.sqlite') })
  const senders = createSenders({ store, clock: () => new Date(), logger: pino({ level: 'silent' }), snapshots: noSnapshots, roles: ['seat-sweeper'], shared: true, leaseMs: 200, nodeId: () => 'node-a' })
  afterAll(async () => {
    await senders.stop()
    await store.close()
    dir.remove()
  })

  it(`keeps the last ${LEADERSHIP_KEPT} events of a role's stream, and its holder leads on`, async () => {
    await senders.start({ webhooks: null, mail: null, sweep: () => undefined })
    const stream = leadershipStream('seat-sweeper')
    // Well past what is kept: the renewals go on every 100 ms (a lease of 200 ms: long enough that a busy machine
    // delays no renewal past it, short enough that three times what is kept is written in seconds).
    const last = await eventually(async () => {
      const kept = await store.readStream(stream, { direction: 'backwards', maxCount: 1 })
      return (kept[0]?.revision ?? 0) >= 3 * LEADERSHIP_KEPT ? kept[0]!.revision : undefined
    }, 20_000, 'renewals past the retention')
    const kept = await store.readStream(stream)
    expect(kept.length).toBeLessThanOrEqual(LEADERSHIP_KEPT)
    expect(kept.at(-1)!.revision).toBeGreaterThanOrEqual(last)
    expect(senders.leads('seat-sweeper')).toBe(true)
  })
})
