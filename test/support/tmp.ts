// Temporary directories for tests that need a real file on disk.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TempDir {
  readonly path: string
  readonly file: (name: string) => string
  readonly remove: () => void
}

export const makeTempDir = (label = 'licensing'): TempDir => {
  const path = mkdtempSync(join(tmpdir(), `${label}-`))
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  }
}
