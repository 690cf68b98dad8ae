// The event store contract: one suite, run against every adapter. Streams are
// named per test so the suite also holds on a shared server (EventStoreDB),
// where the global log carries other tests' events too.
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExpectedVersion, type EventStore, type NewEvent, type RecordedEvent } from '../../src/store/port.js'

export interface StoreFixture {
  readonly store: EventStore
  readonly dispose: () => Promise<void>
  /** Lets this much time pass on the store's clock (a test clock where the store takes one; else real time). */
  readonly passTime: (seconds: number) => Promise<void>
}

const newEvent = (type: string, data: Record<string, string | number> = {}): NewEvent => ({
  id: uuid(),
  type,
  data,
  metadata: { actor: 'contract-test', correlationId: uuid() },
})

const rightOf = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected a successful append, got ${JSON.stringify(either.left)}`)
  return either.right
}

/** Collects events of the given streams from a subscription until `count` arrived (or the time runs out). */
const collect = async (
  iterable: AsyncIterable<RecordedEvent>,
  belongs: (event: RecordedEvent) => boolean,
  count: number,
  timeoutMs = 10_000,
): Promise<RecordedEvent[]> => {
  const seen: RecordedEvent[] = []
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs))
  const iterator = iterable[Symbol.asyncIterator]()
  while (seen.length < count) {
    const next = await Promise.race([iterator.next(), timeout])
    if (next === 'timeout' || next.done) break
    if (belongs(next.value)) seen.push(next.value)
  }
  return seen
}

export const describeEventStore = (
  name: string,
  makeStore: () => Promise<StoreFixture | { readonly skip: string }>,
): void => {
  describe(`event store contract: ${name}`, () => {
    let fixture: StoreFixture | null = null
    let skipReason: string | null = null
    const store = (): EventStore => fixture!.store

    beforeAll(async () => {
      const made = await makeStore()
      if ('skip' in made) skipReason = made.skip
      else fixture = made
    }, 180_000)

    afterAll(async () => {
      await fixture?.dispose()
    })

    // Each test names its own streams, so it neither sees nor disturbs others.
    const streamOf = (label: string): string => `contract_${label}-${uuid().replace(/-/g, '')}`
    const prefixOf = (stream: string): string => stream.slice(0, stream.lastIndexOf('-'))

    const test = (title: string, body: () => Promise<void>, timeout = 30_000): void => {
      it(title, async (context) => {
        if (skipReason !== null) context.skip(skipReason)
        await body()
      }, timeout)
    }

    describe('appending and reading a stream', () => {
      test('reads back what was appended, in order, with every recorded field', async () => {
        const stream = streamOf('read')
        const events = [newEvent('Opened', { n: 1 }), newEvent('Renamed', { n: 2, name: 'x' })]
        const before = Date.now()
        const result = rightOf(await store().appendToStream(stream, events, ExpectedVersion.noStream))
        const read = await store().readStream(stream)

        expect(result.nextRevision).toBe(1)
        expect(read.map((e) => [e.id, e.type, e.data, e.metadata, e.streamName, e.revision])).toEqual([
          [events[0]!.id, 'Opened', { n: 1 }, events[0]!.metadata, stream, 0],
          [events[1]!.id, 'Renamed', { n: 2, name: 'x' }, events[1]!.metadata, stream, 1],
        ])
        expect(read[1]!.position).toBe(result.position)
        expect(read[0]!.position < read[1]!.position).toBe(true)
        for (const e of read) {
          expect(e.recordedAt).toBeInstanceOf(Date)
          expect(e.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 60_000)
        }
      })

      test('a stream that does not exist reads as empty', async () => {
        expect(await store().readStream(streamOf('missing'))).toEqual([])
      })

      test('reads from a revision, a limited count, and backwards', async () => {
        const stream = streamOf('ranges')
        const events = [0, 1, 2, 3, 4].map((n) => newEvent('Counted', { n }))
        rightOf(await store().appendToStream(stream, events, ExpectedVersion.noStream))

        const data = (read: readonly RecordedEvent[]): unknown[] => read.map((e) => e.data)
        expect(data(await store().readStream(stream, { fromRevision: 2 }))).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }])
        expect(data(await store().readStream(stream, { fromRevision: 1, maxCount: 2 }))).toEqual([{ n: 1 }, { n: 2 }])
        expect(data(await store().readStream(stream, { direction: 'backwards', maxCount: 2 }))).toEqual([
          { n: 4 },
          { n: 3 },
        ])
        expect(
          data(await store().readStream(stream, { direction: 'backwards', fromRevision: 1 })),
        ).toEqual([{ n: 1 }, { n: 0 }])
      })
    })

    describe('expected versions', () => {
      test('any: appends to a new stream and to an existing one', async () => {
        const stream = streamOf('any')
        expect(rightOf(await store().appendToStream(stream, [newEvent('A')], ExpectedVersion.any)).nextRevision).toBe(0)
        expect(rightOf(await store().appendToStream(stream, [newEvent('B')], ExpectedVersion.any)).nextRevision).toBe(1)
      })

      test('no_stream: creates the stream once, then conflicts', async () => {
        const stream = streamOf('nostream')
        rightOf(await store().appendToStream(stream, [newEvent('A')], ExpectedVersion.noStream))
        const again = await store().appendToStream(stream, [newEvent('B')], ExpectedVersion.noStream)
        expect(again).toEqual(
          E.left({ _tag: 'WrongExpectedVersion', streamName: stream, expected: ExpectedVersion.noStream, actual: 0 }),
        )
        expect((await store().readStream(stream)).map((e) => e.type)).toEqual(['A'])
      })

      test('stream_exists: conflicts on a missing stream, appends to an existing one', async () => {
        const stream = streamOf('exists')
        const missing = await store().appendToStream(stream, [newEvent('A')], ExpectedVersion.streamExists)
        expect(missing).toEqual(
          E.left({
            _tag: 'WrongExpectedVersion',
            streamName: stream,
            expected: ExpectedVersion.streamExists,
            actual: null,
          }),
        )
        expect(await store().readStream(stream)).toEqual([])
        rightOf(await store().appendToStream(stream, [newEvent('A')], ExpectedVersion.noStream))
        expect(
          rightOf(await store().appendToStream(stream, [newEvent('B')], ExpectedVersion.streamExists)).nextRevision,
        ).toBe(1)
      })

      test('exact: appends only at the revision the writer read', async () => {
        const stream = streamOf('exact')
        rightOf(await store().appendToStream(stream, [newEvent('A'), newEvent('B')], ExpectedVersion.noStream))
        const stale = await store().appendToStream(stream, [newEvent('C')], ExpectedVersion.exact(0))
        expect(stale).toEqual(
          E.left({ _tag: 'WrongExpectedVersion', streamName: stream, expected: ExpectedVersion.exact(0), actual: 1 }),
        )
        const ahead = await store().appendToStream(stream, [newEvent('C')], ExpectedVersion.exact(5))
        expect(E.isLeft(ahead)).toBe(true)
        const onMissing = await store().appendToStream(streamOf('exact-missing'), [newEvent('C')], ExpectedVersion.exact(0))
        expect(E.isLeft(onMissing) && onMissing.left.actual).toBe(null)
        expect(rightOf(await store().appendToStream(stream, [newEvent('C')], ExpectedVersion.exact(1))).nextRevision).toBe(2)
        expect((await store().readStream(stream)).map((e) => e.type)).toEqual(['A', 'B', 'C'])
      })
    })

    // A resend after a lost acknowledgement carries the same event ids; the
    // store must recognise it (EventStoreDB's idempotent append) rather than
    // write the events twice or call it a conflict.
    describe('appending the same events again', () => {
      const events = (): NewEvent[] => [newEvent('Opened', { n: 1 }), newEvent('Renamed', { n: 2 })]

      for (const [label, expectation] of [
        ['no_stream', () => ExpectedVersion.noStream],
        ['exact', () => ExpectedVersion.exact(0)],
        ['any', () => ExpectedVersion.any],
        ['stream_exists', () => ExpectedVersion.streamExists],
      ] as const) {
        test(`${label}: writes nothing and answers as the first append did`, async () => {
          const stream = streamOf(`again-${label}`)
          if (label !== 'no_stream') rightOf(await store().appendToStream(stream, [newEvent('Created')], ExpectedVersion.noStream))
          const sent = events()
          const first = rightOf(await store().appendToStream(stream, sent, expectation()))
          const before = await store().readStream(stream)

          const again = rightOf(await store().appendToStream(stream, sent, expectation()))

          expect(again.nextRevision).toBe(first.nextRevision)
          expect(await store().readStream(stream)).toEqual(before)
        })
      }

      test('single event: the same position, even after the stream moved on', async () => {
        const stream = streamOf('again-moved')
        const sent = [newEvent('Opened')]
        const first = rightOf(await store().appendToStream(stream, sent, ExpectedVersion.noStream))
        rightOf(await store().appendToStream(stream, [newEvent('Renamed')], ExpectedVersion.exact(0)))

        expect(await store().appendToStream(stream, sent, ExpectedVersion.noStream)).toEqual(E.right(first))
        expect((await store().readStream(stream)).map((e) => e.type)).toEqual(['Opened', 'Renamed'])
      })

      test('only some of the events already there: a conflict, and nothing written', async () => {
        const stream = streamOf('again-partly')
        const [a, b] = events()
        rightOf(await store().appendToStream(stream, [a!, b!], ExpectedVersion.noStream))
        const before = await store().readStream(stream)

        const positional = await store().appendToStream(stream, [a!, newEvent('Other')], ExpectedVersion.noStream)
        const anywhere = await store().appendToStream(stream, [b!, newEvent('Other')], ExpectedVersion.any)

        expect(positional).toEqual(
          E.left({ _tag: 'WrongExpectedVersion', streamName: stream, expected: ExpectedVersion.noStream, actual: 1 }),
        )
        expect(anywhere).toEqual(E.left({ _tag: 'WrongExpectedVersion', streamName: stream, expected: ExpectedVersion.any, actual: 1 }))
        expect(await store().readStream(stream)).toEqual(before)
      })
    })

    describe('concurrency', () => {
      test('concurrent creates of one stream: exactly one succeeds', async () => {
        const stream = streamOf('race-create')
        const results = await Promise.all(
          Array.from({ length: 25 }, (_, i) => store().appendToStream(stream, [newEvent('Created', { i })], ExpectedVersion.noStream)),
        )
        expect(results.filter(E.isRight)).toHaveLength(1)
        expect(results.filter(E.isLeft)).toHaveLength(24)
        expect(await store().readStream(stream)).toHaveLength(1)
      })

      test('concurrent appends at the same revision: exactly one succeeds', async () => {
        const stream = streamOf('race-exact')
        rightOf(await store().appendToStream(stream, [newEvent('Created')], ExpectedVersion.noStream))
        const results = await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            store().appendToStream(stream, [newEvent('Changed', { i }), newEvent('Noted', { i })], ExpectedVersion.exact(0)),
          ),
        )
        expect(results.filter(E.isRight)).toHaveLength(1)
        const read = await store().readStream(stream)
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2])
        // The winner's two events stand together: no loser's event slipped between them.
        expect(read[1]!.data).toEqual(read[2]!.data)
      })

      test('concurrent appends to different streams all succeed with distinct positions', async () => {
        const streams = Array.from({ length: 20 }, (_, i) => streamOf(`many${i}`))
        const results = await Promise.all(
          streams.map((s) => store().appendToStream(s, [newEvent('Created')], ExpectedVersion.noStream)),
        )
        const positions = results.map((r) => rightOf(r).position)
        expect(new Set(positions.map(String)).size).toBe(20)
      })
    })

    describe('atomic multi-event appends', () => {
      test('the events of one append get consecutive revisions and adjacent global positions', async () => {
        const stream = streamOf('atomic')
        const events = [newEvent('A'), newEvent('B'), newEvent('C')]
        const result = rightOf(await store().appendToStream(stream, events, ExpectedVersion.noStream))
        const read = await store().readStream(stream)
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2])
        const between = await store().readAll({ from: read[0]!.position, maxCount: 2 })
        expect(between.map((e) => e.id)).toEqual([events[1]!.id, events[2]!.id])
        expect(result.position).toBe(read[2]!.position)
      })

      test('a rejected append writes none of its events', async () => {
        const stream = streamOf('atomic-reject')
        rightOf(await store().appendToStream(stream, [newEvent('A')], ExpectedVersion.noStream))
        const rejected = await store().appendToStream(stream, [newEvent('B'), newEvent('C')], ExpectedVersion.noStream)
        expect(E.isLeft(rejected)).toBe(true)
        expect((await store().readStream(stream)).map((e) => e.type)).toEqual(['A'])
      })
    })

    describe('the global log', () => {
      test('positions grow in append order across streams, and reading resumes strictly after a position', async () => {
        const first = streamOf('global')
        const second = streamOf('global')
        const a = rightOf(await store().appendToStream(first, [newEvent('A')], ExpectedVersion.noStream))
        const b = rightOf(await store().appendToStream(second, [newEvent('B')], ExpectedVersion.noStream))
        const c = rightOf(await store().appendToStream(first, [newEvent('C')], ExpectedVersion.exact(0)))
        expect(a.position < b.position && b.position < c.position).toBe(true)

        const mine = (events: readonly RecordedEvent[]): string[] =>
          events.filter((e) => e.streamName === first || e.streamName === second).map((e) => e.type)
        expect(mine(await store().readAll({ from: a.position, maxCount: 10_000 }))).toEqual(['B', 'C'])
        expect(mine(await store().readAll({ from: c.position, direction: 'backwards', maxCount: 10_000 }))).toEqual([
          'B',
          'A',
        ])
        const head = await store().headPosition()
        expect(head !== null && head >= c.position).toBe(true)
      })
    })

    describe('retention', () => {
      const data = (read: readonly RecordedEvent[]): unknown[] => read.map((e) => e.data)
      const revisions = (read: readonly RecordedEvent[]): number[] => read.map((e) => e.revision)
      const counted = (from: number, to: number): NewEvent[] => Array.from({ length: to - from + 1 }, (_, i) => newEvent('Counted', { n: from + i }))

      test('maxCount keeps the newest events; reads in every direction see only those', async () => {
        const stream = streamOf('max-count')
        rightOf(await store().appendToStream(stream, counted(0, 4), ExpectedVersion.noStream))
        await store().setStreamRetention(stream, { maxCount: 2 })

        expect(data(await store().readStream(stream))).toEqual([{ n: 3 }, { n: 4 }])
        expect(revisions(await store().readStream(stream, { fromRevision: 0, maxCount: 1 }))).toEqual([3])
        expect(revisions(await store().readStream(stream, { direction: 'backwards' }))).toEqual([4, 3])
        expect(revisions(await store().readStream(stream, { direction: 'backwards', fromRevision: 3 }))).toEqual([3])
      })

      test('appends after trimming expect the stream’s revision as it was, and the retention goes on applying', async () => {
        const stream = streamOf('trimmed-append')
        rightOf(await store().appendToStream(stream, counted(0, 4), ExpectedVersion.noStream))
        await store().setStreamRetention(stream, { maxCount: 2 })

        const stale = await store().appendToStream(stream, [newEvent('Late')], ExpectedVersion.exact(1))
        expect(stale).toEqual(E.left({ _tag: 'WrongExpectedVersion', streamName: stream, expected: ExpectedVersion.exact(1), actual: 4 }))
        expect(rightOf(await store().appendToStream(stream, counted(5, 6), ExpectedVersion.exact(4))).nextRevision).toBe(6)
        expect(rightOf(await store().appendToStream(stream, counted(7, 7), ExpectedVersion.streamExists)).nextRevision).toBe(7)
        expect(data(await store().readStream(stream))).toEqual([{ n: 6 }, { n: 7 }])
      })

      test('maxAge drops the events recorded longer ago than the age; the stream goes on from its revision, even when nothing is left to read', async () => {
        const stream = streamOf('max-age')
        rightOf(await store().appendToStream(stream, counted(0, 1), ExpectedVersion.noStream))
        await fixture!.passTime(3)
        rightOf(await store().appendToStream(stream, counted(2, 2), ExpectedVersion.exact(1)))
        await store().setStreamRetention(stream, { maxAgeSeconds: 2 })
        expect(data(await store().readStream(stream))).toEqual([{ n: 2 }])

        await fixture!.passTime(3)
        expect(await store().readStream(stream)).toEqual([])
        expect(rightOf(await store().appendToStream(stream, counted(3, 3), ExpectedVersion.exact(2))).nextRevision).toBe(3)
        expect(revisions(await store().readStream(stream))).toEqual([3])
      })

      test('a stream without retention keeps everything, beside one with it', async () => {
        const kept = streamOf('kept')
        const trimmed = streamOf('trimmed')
        rightOf(await store().appendToStream(kept, counted(0, 4), ExpectedVersion.noStream))
        rightOf(await store().appendToStream(trimmed, counted(0, 4), ExpectedVersion.noStream))
        await store().setStreamRetention(trimmed, { maxCount: 1, maxAgeSeconds: 1 })
        await fixture!.passTime(2)
        expect(revisions(await store().readStream(kept))).toEqual([0, 1, 2, 3, 4])
        expect(await store().readStream(trimmed)).toEqual([])
      })

      test('other events keep their log positions, and a subscriber from a checkpoint among trimmed events goes on', async () => {
        const trimmed = streamOf('trim-log')
        const other = streamOf('trim-other')
        const first = rightOf(await store().appendToStream(trimmed, counted(0, 0), ExpectedVersion.noStream))
        rightOf(await store().appendToStream(other, counted(0, 0), ExpectedVersion.noStream))
        rightOf(await store().appendToStream(trimmed, counted(1, 1), ExpectedVersion.exact(0)))
        rightOf(await store().appendToStream(other, counted(1, 1), ExpectedVersion.exact(0)))
        rightOf(await store().appendToStream(trimmed, counted(2, 2), ExpectedVersion.exact(1)))
        const othersBefore = (await store().readStream(other)).map((e) => [e.id, e.position])

        await store().setStreamRetention(trimmed, { maxCount: 1 })

        expect((await store().readStream(other)).map((e) => [e.id, e.position])).toEqual(othersBefore)
        const [keptEvent] = await store().readStream(trimmed)
        // From the position of an event no longer kept: what follows it, in order. Events no longer
        // kept may still come from $all until the store deletes them (EventStoreDB: its next scavenge).
        const subscription = store().subscribeToAll({ from: first.position })
        try {
          const seen = await collect(subscription, (e) => e.streamName === other || e.id === keptEvent!.id, 3)
          expect(seen.map((e) => [e.id, e.position])).toEqual([...othersBefore, [keptEvent!.id, keptEvent!.position]])
        } finally {
          await subscription.close()
        }
      })

      test('a retention that is not a whole number of at least 1 is refused', async () => {
        await expect(store().setStreamRetention(streamOf('bad'), { maxCount: 0 })).rejects.toThrow(RangeError)
        await expect(store().setStreamRetention(streamOf('bad'), { maxAgeSeconds: 1.5 })).rejects.toThrow(RangeError)
      })
    })

    describe('subscriptions', () => {
      test('catch up on stored events, then receive live ones, in log order, each once', async () => {
        const stream = streamOf('sub')
        const belongs = (e: RecordedEvent): boolean => e.streamName === stream
        rightOf(await store().appendToStream(stream, [newEvent('A'), newEvent('B')], ExpectedVersion.noStream))
        const subscription = store().subscribeToAll()
        try {
          const caughtUp = collect(subscription, belongs, 5)
          await new Promise((r) => setTimeout(r, 100))
          rightOf(await store().appendToStream(stream, [newEvent('C')], ExpectedVersion.exact(1)))
          rightOf(await store().appendToStream(stream, [newEvent('D'), newEvent('E')], ExpectedVersion.exact(2)))
          const seen = await caughtUp
          expect(seen.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D', 'E'])
          expect(seen.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4])
        } finally {
          await subscription.close()
        }
      })

      test('resume from a checkpoint: only events after it', async () => {
        const stream = streamOf('checkpoint')
        const belongs = (e: RecordedEvent): boolean => e.streamName === stream
        const first = rightOf(await store().appendToStream(stream, [newEvent('A'), newEvent('B')], ExpectedVersion.noStream))
        rightOf(await store().appendToStream(stream, [newEvent('C')], ExpectedVersion.exact(1)))
        const subscription = store().subscribeToAll({ from: first.position })
        try {
          const seen = await collect(subscription, belongs, 1)
          expect(seen.map((e) => e.type)).toEqual(['C'])
        } finally {
          await subscription.close()
        }
      })

      test('under concurrent appends a subscriber sees exactly the log, in its order', async () => {
        const prefix = prefixOf(streamOf('burst'))
        const streams = Array.from({ length: 10 }, (_, i) => `${prefix}${i}-${uuid().replace(/-/g, '')}`)
        const belongs = (e: RecordedEvent): boolean => streams.includes(e.streamName)
        const start = await store().headPosition()
        const subscription = store().subscribeToAll(start === null ? {} : { from: start })
        try {
          const seen = collect(subscription, belongs, 100, 20_000)
          await Promise.all(
            streams.map(async (s) => {
              for (let i = 0; i < 5; i += 1) {
                rightOf(await store().appendToStream(s, [newEvent('X', { i }), newEvent('Y', { i })], ExpectedVersion.any))
              }
            }),
          )
          const received = await seen
          const logged: RecordedEvent[] = []
          let from = start ?? undefined
          for (;;) {
            const page = await store().readAll({ ...(from === undefined ? {} : { from }), maxCount: 1000 })
            if (page.length === 0) break
            logged.push(...page.filter(belongs))
            from = page[page.length - 1]!.position
          }
          expect(received.map((e) => e.id)).toEqual(logged.map((e) => e.id))
          expect(received).toHaveLength(100)
          for (let i = 1; i < received.length; i += 1) {
            expect(received[i - 1]!.position < received[i]!.position).toBe(true)
          }
        } finally {
          await subscription.close()
        }
      })

      test('closing a subscription ends its iteration', async () => {
        const subscription = store().subscribeToAll()
        const drained = (async () => {
          let n = 0
          for await (const _ of subscription) n += 1
          return n
        })()
        await new Promise((r) => setTimeout(r, 50))
        await subscription.close()
        await expect(drained).resolves.toBeGreaterThanOrEqual(0)
      })
    })
  })
}
