// The layers, kept honest: every import in src/ read from the source text.
// The domain imports only itself, fp-ts and io-ts, and reads no clock and no
// randomness; nothing below HTTP imports from it (the composition root wires
// it, so it may); no API's folder imports another's.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SRC = join(ROOT, 'src')

/** The composition root: the one place that wires adapters (the HTTP app among them) to ports. */
const COMPOSITION_ROOT = 'src/main.ts'

interface Source {
  /** As the repository names it: src/domain/order/lease.ts. */
  readonly path: string
  /** The text less its comments, so a comment naming a module or Date.now is no import or call. */
  readonly code: string
}

interface Import {
  readonly from: string
  readonly specifier: string
  /** The file it names, as the repository names it; null for a package. */
  readonly target: string | null
}

const sourcesUnder = (dir: string): Source[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) return sourcesUnder(full)
    if (!entry.name.endsWith('.ts')) return []
    const code = readFileSync(full, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
    return [{ path: relative(ROOT, full).split('\\').join('/'), code }]
  })

/** `import … from '…'` and `export … from '…'`, `import '…'`, and `import('…')`. */
const SPECIFIERS = [/(?<=[\s}*])from\s+['"]([^'"\n]+)['"]/g, /(?<![\w'"])import\s+['"]([^'"\n]+)['"]/g, /(?<![\w'"])import\(\s*['"]([^'"\n]+)['"]\s*\)/g]

const importsOf = (source: Source): Import[] =>
  SPECIFIERS.flatMap((pattern) => [...source.code.matchAll(pattern)]).map(([, specifier]) => ({
    from: source.path,
    specifier: specifier!,
    target: specifier!.startsWith('.')
      ? relative(ROOT, resolve(ROOT, dirname(source.path), specifier!))
          .split('\\')
          .join('/')
          .replace(/\.js$/, '.ts')
      : null,
  }))

const sources = sourcesUnder(SRC)
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
