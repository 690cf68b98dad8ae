// `npm run bench`: every benchmark, each against its baseline in the same run.
import { benchEventStore } from './event-store.js'
import { benchHeartbeats } from './heartbeats.js'
import { benchHistory } from './history.js'
import { benchReplay } from './replay.js'
import { benchSnapshots } from './snapshots.js'
import { benchStartup } from './startup.js'
import { benchWrites } from './writes.js'

const benches: Record<string, () => Promise<void>> = { 'event-store': benchEventStore, heartbeats: benchHeartbeats, history: benchHistory, replay: benchReplay, snapshots: benchSnapshots, startup: benchStartup, writes: benchWrites }

const only = process.argv[2]
for (const [name, bench] of Object.entries(benches)) {
  if (only !== undefined && only !== name) continue
  console.log(`== ${name}`)
  await bench()
}
