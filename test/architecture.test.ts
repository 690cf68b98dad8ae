// The layers, kept honest: every import in src/ read from the source text.
// The domain imports only itself, fp-ts and io-ts, and reads no clock and no
// randomness; nothing below HTTP imports from it (the composition root wires
// it, so it may); no API's folder imports another's.
import { describe, expect, it } from 'vitest'
import { importsOf, sourcesUnder, type Import } from './support/sources.js'

/** The composition root: the one place that wires adapters (the HTTP app among them) to ports. */
const COMPOSITION_ROOT = 'src/main.ts'

const sources = sourcesUnder('src')
const imports = sources.flatMap(importsOf)

const under = (folder: string) => (path: string | null): boolean => path !== null && path.startsWith(`${folder}/`)
const inDomain = under('src/domain')
const inHttp = under('src/http')
const packageOf = (specifier: string): string => specifier.split('/')[0]!

/** The API folder a file is in (src/http/lac/router.ts -> lac); null outside one. */
const apiFolderOf = (path: string | null): string | null => /^src\/http\/([^/]+)\//.exec(path ?? '')?.[1] ?? null

const told = (i: Import, rule: string): string => `${i.from} imports '${i.specifier}'${i.target === null ? '' : ` (${i.target})`}: ${rule}`

describe('the layers', () => {
  it('reads the source: every layer is there and imports something', () => {
    for (const folder of ['src/domain', 'src/application', 'src/http', 'src/store', 'src/projections', 'src/views']) {
      expect(imports.some((i) => under(folder)(i.from)), folder).toBe(true)
    }
  })

  it('the domain imports only itself, fp-ts and io-ts', () => {
    const wrong = imports
      .filter((i) => inDomain(i.from))
      .filter((i) => (i.target === null ? !['fp-ts', 'io-ts'].includes(packageOf(i.specifier)) : !inDomain(i.target)))
    expect(wrong.map((i) => told(i, 'the domain imports only itself, fp-ts and io-ts'))).toEqual([])
  })

  it('the domain reads no clock and no randomness: time and ids come in through the context', () => {
    const CALLS: readonly (readonly [RegExp, string])[] = [
      [/\bDate\.now\b/, 'Date.now'],
      [/\bnew\s+Date\s*\(\s*\)/, 'new Date()'],
      [/\bMath\.random\b/, 'Math.random'],
    ]
    const wrong = sources
      .filter((s) => inDomain(s.path))
      .flatMap((s) => CALLS.filter(([pattern]) => pattern.test(s.code)).map(([, call]) => `${s.path} uses ${call}`))
    expect(wrong).toEqual([])
  })

  it('nothing outside src/http imports from it, but the composition root', () => {
    const wrong = imports.filter((i) => !inHttp(i.from) && i.from !== COMPOSITION_ROOT && inHttp(i.target))
    expect(wrong.map((i) => told(i, 'no layer below HTTP imports from it; what HTTP and others both need belongs below both'))).toEqual([])
  })

  it("no API's folder imports another's: what two dialects share lives in src/http itself", () => {
    const wrong = imports.filter((i) => {
      const from = apiFolderOf(i.from)
      const to = apiFolderOf(i.target)
      return from !== null && to !== null && from !== to
    })
    expect(wrong.map((i) => told(i, "one API's folder does not import another's"))).toEqual([])
  })
})
