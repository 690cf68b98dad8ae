// The replay's progress line: events done of the total, events per second and
// time left, at most once a second.
import { describe, expect, it } from 'vitest'
import { progressReporter } from '../../src/tools/progress.js'

describe('replay progress', () => {
  it('given a replay under way, when a second has passed, then it tells done, total, rate and time left', () => {
    const lines: string[] = []
    let now = 0
    let cpu = 100
    const progress = progressReporter((line) => lines.push(line), 4_000n, () => now, () => cpu)
    now = 500
    progress.update({ events: 500, first: 1n, position: 500n })
    expect(lines).toEqual([])
    now = 2_000
    progress.update({ events: 1_000, first: 1n, position: 1_000n })
    expect(lines).toEqual(['replay: 1000 of 4000 events (25%), 500 events/s, about 6 s left\n'])
    now = 2_500
    progress.update({ events: 1_500, first: 1n, position: 1_500n })
    expect(lines).toHaveLength(1)
    now = 8_000
    cpu = 2_100
    progress.done(4_000, 4_000n)
    expect(lines[1]).toBe('replay: 4000 events in 8.0 s (500 events/s), up to position 4000; 2.0 s of CPU (2000 events per CPU second)\n')
  })

  it('given positions that are not event numbers (EventStoreDB), then the total is estimated from how far through the log it is', () => {
    const lines: string[] = []
    let now = 0
    const progress = progressReporter((line) => lines.push(line), 1_000_999n, () => now)
    now = 1_000
    progress.update({ events: 100, first: 1_000n, position: 250_999n })
    expect(lines).toEqual(['replay: 100 of 400 events (25%), 100 events/s, about 3 s left\n'])
  })
})
