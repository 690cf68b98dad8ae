// Group commit against its baseline, in the same run: the same appends (one
// event each, to distinct streams, many in flight) to a SQLite store with
// synchronous=FULL, committed together or one transaction per append.
import { v4 as uuid } from 'uuid'
import { ExpectedVersion } from '../src/store/port.js'
import { createSqliteEventStore } from '../src/store/sqlite.js'
import { makeTempDir } from '../test/support/tmp.js'
import { progress } from './progress.js'

const APPENDS = Number(process.env.BENCH_APPENDS ?? 4000)
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64)

const run = async (label: string, groupCommit: boolean): Promise<{ perSecond: number; commits: number }> => {
  const dir = makeTempDir('bench-store')
  let commits = 0
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), groupCommit, onCommit: () => (commits += 1) })
  const shown = progress(label, APPENDS)
  const started = process.hrtime.bigint()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < APPENDS) {
      next += 1
      const id = uuid()
      await store.appendToStream(`bench-${id}`, [{ id, type: 'Benched', data: { n: next }, metadata: {} }], ExpectedVersion.noStream)
      shown.tick()
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  shown.done()
  await store.close()
  dir.remove()
  return { perSecond: APPENDS / seconds, commits }
}

export const benchEventStore = async (): Promise<void> => {
  const baseline = await run('one transaction per append', false)
  const grouped = await run('group commit             ', true)
  console.log(`\nSQLite appends, ${APPENDS} single-event appends, ${IN_FLIGHT} in flight, synchronous=FULL`)
  console.log(`  one transaction per append: ${Math.round(baseline.perSecond)} appends/s (${baseline.commits} commits)`)
  console.log(`  group commit:               ${Math.round(grouped.perSecond)} appends/s (${grouped.commits} commits)`)
  console.log(`  group commit is ${(grouped.perSecond / baseline.perSecond).toFixed(1)}x the baseline`)
}
