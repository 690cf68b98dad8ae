// The project's TypeScript sources as text, less their comments, and the
// imports each makes: what the architecture test and the state-version test
// read.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface Source {
  /** As the repository names it: src/domain/order/lease.ts. */
  readonly path: string
  /** The text less its comments, so a comment naming a module or Date.now is no import or call. */
  readonly code: string
}

export interface Import {
  readonly from: string
  readonly specifier: string
  /** The file it names, as the repository names it; null for a package. */
  readonly target: string | null
}

/** Every .ts file under a folder of the repository (`src`, `src/domain`). */
export const sourcesUnder = (folder: string): Source[] =>
  readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`
    if (entry.isDirectory()) return sourcesUnder(path)
    if (!entry.name.endsWith('.ts')) return []
    const code = readFileSync(join(ROOT, path), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
    return [{ path, code }]
  })

/** `import … from '…'` and `export … from '…'`, `import '…'`, and `import('…')`. */
const SPECIFIERS = [/(?<=[\s}*])from\s+['"]([^'"\n]+)['"]/g, /(?<![\w'"])import\s+['"]([^'"\n]+)['"]/g, /(?<![\w'"])import\(\s*['"]([^'"\n]+)['"]\s*\)/g]

export const importsOf = (source: Source): Import[] =>
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
