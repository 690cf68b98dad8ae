// `licensing restore <dir>`: puts a backup (tools/backup.ts) in place as the
// data directory of an engine that is not running: checks the manifest and
// every file's SHA-256 first, then copies each file under a temporary name and
// renames it, so a restore that fails leaves no half-written database.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/Either'
import { loadConfig } from '../config.js'
import { DATA_FILES } from '../data-files.js'
import { eventLogPath } from '../main.js'
import { BACKUP_FORMAT, MANIFEST_FILE, sha256Of, type Manifest } from './backup.js'
import type { Output } from './replay.js'

export const RESTORE_HELP = `usage: licensing restore <dir> [--force]

Restores a backup made by \`licensing backup\` into the data directory
(LICENSING_DATA_DIR; the event log to LICENSING_EVENT_LOG when set). Checks the
manifest and every file's SHA-256 before it writes anything. The engine must not
be running on that data directory. Then start it: the read models catch up with
the restored log; \`licensing replay --verify\` proves they match it.

options:
  --force      replace the databases already in the data directory
  -h, --help   this help`

const readManifest = (dir: string): Manifest | string => {
  const path = join(dir, MANIFEST_FILE)
  if (!existsSync(path)) return `no ${MANIFEST_FILE} in ${resolve(dir)}: not a backup`
  let manifest: Manifest
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest
  } catch {
    return `${resolve(path)} is not JSON`
  }
  if (manifest.format !== BACKUP_FORMAT || !Array.isArray(manifest.files)) return `${resolve(path)} is not a manifest of format ${BACKUP_FORMAT}`
  // Names come from the file: only plain names, never a path out of the data directory.
  const bad = manifest.files.find((f) => typeof f.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(f.name))
  if (bad !== undefined) return `the manifest names a file that is not a plain file name: ${JSON.stringify(bad.name)}`
  for (const file of manifest.files) {
    const copy = join(dir, file.name)
    if (!existsSync(copy)) return `${file.name} is listed in the manifest but missing from ${resolve(dir)}`
    if (sha256Of(copy) !== file.sha256) return `${file.name} does not match its SHA-256 in the manifest: the backup is damaged`
  }
  return manifest
}

export const restoreCommand = async (args: readonly string[], env: NodeJS.ProcessEnv, { out, err }: Output): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  })
  if (values.help === true) return (out(`${RESTORE_HELP}\n`), 0)
  const [dir, ...rest] = positionals
  if (dir === undefined || rest.length > 0) return (err(`${RESTORE_HELP}\n`), 2)
  const config = loadConfig(env)
  if (E.isLeft(config)) {
    for (const problem of config.left) err(`configuration error: ${problem}\n`)
    return 2
  }
  const manifest = readManifest(dir)
  if (typeof manifest === 'string') return (err(`${manifest}\n`), 2)

  const { dataDir } = config.right
  const targetOf = (name: string): string => (name === DATA_FILES.eventLog ? eventLogPath(config.right) : join(dataDir, name))
  const present = manifest.files.filter((f) => f.kind === 'sqlite' && existsSync(targetOf(f.name)))
  if (present.length > 0 && values.force !== true) {
    err(`the data directory already holds ${present.map((f) => resolve(targetOf(f.name))).join(', ')}: restore into a new one, or pass --force (with the engine stopped)\n`)
    return 2
  }
  // Private, as the engine makes it: the restored secrets live here.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  for (const file of manifest.files) {
    const target = targetOf(file.name)
    mkdirSync(dirname(target), { recursive: true })
    const temporary = `${target}.restoring`
    copyFileSync(join(dir, file.name), temporary)
    if (file.kind === 'secret') chmodSync(temporary, 0o600)
    // A database's old journal would be replayed over the restored file.
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true })
    renameSync(temporary, target)
  }
  out(
    `restored ${manifest.files.length} file(s) from the backup of ${manifest.createdAt} into ${resolve(dataDir)}` +
      `${manifest.secrets ? '' : ' (no secrets in this backup: the engine generates new ones unless they are configured)'}\n`,
  )
  return 0
}
