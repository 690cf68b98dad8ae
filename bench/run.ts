// `npm run bench`: every benchmark, each against its baseline in the same run.
import { benchConsole } from './console.js'
import { benchEventStore } from './event-store.js'
import { benchHeartbeats } from './heartbeats.js'
import { benchHistory } from './history.js'
import { benchInfo } from './info.js'
import { benchLicenseSize } from './license-size.js'
import { benchReplay } from './replay.js'
import { benchSnapshots } from './snapshots.js'
import { benchStartup } from './startup.js'
import { benchWhatIf } from './what-if.js'
import { benchWrites } from './writes.js'

const benches: Record<string, () => Promise<void>> = { console: benchConsole, 'event-store': benchEventStore, heartbeats: benchHeartbeats, history: benchHistory, info: benchInfo, 'license-size': benchLicenseSize, replay: benchReplay, snapshots: benchSnapshots, startup: benchStartup, 'what-if': benchWhatIf, writes: benchWrites }

const only = process.argv[2]
for (const [name, bench] of Object.entries(benches)) {
  if (only !== undefined && only !== name) continue
  console.log(`== ${name}`)
  await bench()
}
