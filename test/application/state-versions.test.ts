// A snapshot is loaded only at the state version it was taken at, so a change
// to what a stream's state is folded from must bump its `stateVersion`, or
// old snapshots would load as a state the fold no longer gives. This test
// makes forgetting that hard: it fingerprints the source of every domain
// module a stream's fold can depend on (its deciders' and events' modules and
// all they import, with the events' schema versions and upcasters; comments
// aside) and holds the fingerprint to the one recorded for the stream's
// version in state-versions.json. A change there fails it until the version
// is bumped and the new fingerprint recorded under the new version.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StreamType } from '../../src/application/aggregate.js'
import * as aggregates from '../../src/application/aggregates.js'
import type { DomainEvent } from '../../src/domain/events.js'
import { importsOf, ROOT, sourcesUnder, type Source } from '../support/sources.js'
import recorded from './state-versions.json' with { type: 'json' }

const TABLE = 'test/application/state-versions.json'
const AGGREGATES = 'src/application/aggregates.ts'

type AnyStreamType = StreamType<unknown, DomainEvent> & { readonly decider: object }

const domain = sourcesUnder('src/domain')
const byPath = new Map(domain.map((source) => [source.path, source]))

/** A module and every domain module it imports, directly or not (type-only imports too: they shape the state). */
const closureOf = (path: string): readonly Source[] => {
  const seen = new Map<string, Source>()
  const visit = (at: string): void => {
    const source = byPath.get(at)
    if (source === undefined || seen.has(at)) return
    seen.set(at, source)
    for (const { target } of importsOf(source)) if (target !== null) visit(target)
  }
  visit(path)
  return [...seen.values()].sort((a, b) => a.path.localeCompare(b.path))
}

const exportsOf = new Map(await Promise.all(domain.map(async (source) => [source.path, Object.values(await import(join(ROOT, source.path)))] as const)))

/** The module that defines a value: of those exporting it, the one with the fewest dependencies (a re-export has more). */
const definingModule = (value: unknown, what: string): string => {
  const candidates = [...exportsOf].filter(([, values]) => values.includes(value)).map(([path]) => path)
  const path = candidates.sort((a, b) => closureOf(a).length - closureOf(b).length)[0]
  if (path === undefined) throw new Error(`${what} is not exported by any module of src/domain: the state-version test cannot tell what it depends on`)
  return path
}

/** The stream types the application loads: the aggregates, those on one stream sharing one. */
const streamTypes = (): ReadonlyMap<string, readonly AnyStreamType[]> => {
  const types = new Map<string, AnyStreamType[]>()
  for (const value of Object.values(aggregates) as AnyStreamType[]) types.set(value.name, [...(types.get(value.name) ?? []), value])
  return types
}

/** The code's lines, as a comment or blank line moved or dropped leaves them. */
const linesOf = (code: string): string =>
  code
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n')

const fingerprintOf = (sharing: readonly AnyStreamType[]): string => {
  const roots = sharing.flatMap((type) => [definingModule(type.decider, `the ${type.name} decider`), definingModule(type.events, `the ${type.name} events`)])
  const sources = new Map(roots.flatMap(closureOf).map((source) => [source.path, source]))
  const hash = createHash('sha256')
  for (const { path, code } of [...sources.values()].sort((a, b) => a.path.localeCompare(b.path))) hash.update(`${path}\n${linesOf(code)}\n`)
  return hash.digest('hex').slice(0, 32)
}

const table = recorded as Readonly<Record<string, Readonly<Record<string, string>>>>

describe('state versions', () => {
  const types = streamTypes()

  it('finds the stream types, and those on one stream share one fold and one version', () => {
    expect([...types.keys()]).toEqual(
      expect.arrayContaining(['activationKey', 'apiKey', 'customer', 'idempotency', 'leadership', 'lockout', 'order', 'product', 'productTemplate', 'sequence', 'webhookEndpoint']),
    )
    for (const [name, sharing] of types) {
      for (const type of sharing) {
        expect(type.stateVersion, `${name}: one state version`).toBe(sharing[0]!.stateVersion)
        expect(type.decider.evolve, `${name}: one fold`).toBe(sharing[0]!.decider.evolve)
        expect(type.decider.initialState, `${name}: one initial state`).toBe(sharing[0]!.decider.initialState)
      }
    }
  })

  it.each([...types.keys()])('the %s state: a change to what it is folded from bumps its version', (name) => {
    const sharing = types.get(name)!
    const version = sharing[0]!.stateVersion
    const fingerprint = fingerprintOf(sharing)
    const known = table[name]?.[String(version)]
    const next = Math.max(version, ...Object.keys(table[name] ?? {}).map(Number)) + 1
    const told =
      known === undefined
        ? `No fingerprint is recorded for the ${name} state at version ${version}: record "${version}": "${fingerprint}" under "${name}" in ${TABLE}.`
        : `What the ${name} state is folded from (the domain modules its deciders and events are built from) changed since version ${version} was recorded. ` +
          `Bump the stateVersion of "${name}" in ${AGGREGATES} to ${next} and record "${next}": "${fingerprint}" under "${name}" in ${TABLE} ` +
          `(never change a recorded one): snapshots of version ${version} are then ignored, and each long stream is folded once from its start.`
    expect(known, told).toBe(fingerprint)
  })
})
