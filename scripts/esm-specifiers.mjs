// After `tsc`: makes the compiled ES modules loadable by Node itself. fp-ts 2
// has no "exports" map; its subpaths (`fp-ts/Either`) are directories that
// bundlers and tsx resolve, and Node's ESM loader refuses. So each is pointed
// at the module it stands for (`fp-ts/lib/Either.js`).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const dist = process.argv[2] ?? 'dist'
const require = createRequire(import.meta.url)
const fpTsRoot = join(require.resolve('fp-ts/package.json'), '..')

const rewrite = (source) =>
  source.replace(/(from\s+|import\s*\(\s*)(['"])fp-ts\/([A-Za-z]+)\2/g, (whole, before, quote, name) => {
    if (!existsSync(join(fpTsRoot, 'lib', `${name}.js`))) throw new Error(`fp-ts/${name}: no fp-ts/lib/${name}.js`)
    return `${before}${quote}fp-ts/lib/${name}.js${quote}`
  })

let changed = 0
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path)
    else if (entry.name.endsWith('.js')) {
      const before = readFileSync(path, 'utf8')
      const after = rewrite(before)
      if (after !== before) {
        writeFileSync(path, after)
        changed += 1
      }
    }
  }
}
walk(dist)
process.stdout.write(`esm-specifiers: ${changed} file(s) in ${dist} point at fp-ts/lib\n`)
