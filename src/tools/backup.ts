// `licensing backup <dir>`: an online, consistent copy of every SQLite file of
// the engine, taken through SQLite's backup API while the engine runs, with a
// manifest; the secrets only when asked (--include-secrets).
//
// Each file is copied in one step of the backup API, so each copy is one
// consistent snapshot of its file (WAL: writers go on meanwhile). The files
// derived from the log (read models, snapshots, the mailer's and the webhook
// outbox's checkpoints) are copied first and the event log last: every
// checkpoint in the copy is then at or before the copied log's head, so the
// restored engine catches up from there and never believes it applied an event
// the restored log lacks. A write the engine acknowledged before the backup
// started is in the copied log.
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import * as E from 'fp-ts/Either'
import { SIGNING_KEY_FILE } from '../application/signing-key.js'
import { loadConfig } from '../config.js'
import { DATA_FILES } from '../data-files.js'
import { eventLogPath, VERSION } from '../main.js'
import { SECRET_KEY_FILE } from '../webhooks/secret-key.js'
import type { Output } from './replay.js'

export const MANIFEST_FILE = 'manifest.json'
export const BACKUP_FORMAT = 'licensing-backup/1'

/** Generated secrets kept in the data directory: copied only with --include-secrets. */
export const SECRET_FILES: readonly string[] = [DATA_FILES.adminToken, SIGNING_KEY_FILE, SECRET_KEY_FILE]
/** Small files that are not secret and not SQLite. */
const PLAIN_FILES: readonly string[] = [DATA_FILES.nodeId]

export interface ManifestFile {
  readonly name: string
  readonly kind: 'sqlite' | 'secret' | 'file'
  readonly bytes: number
  readonly sha256: string
}

export interface Manifest {
  readonly format: typeof BACKUP_FORMAT
  readonly engineVersion: string
  readonly createdAt: string
  readonly dataDir: string
  readonly secrets: boolean
  /** In the order they were copied: the event log last. */
  readonly files: readonly ManifestFile[]
}

export const BACKUP_HELP = `usage: licensing backup <dir> [--include-secrets]

Copies every SQLite file of the data directory (LICENSING_DATA_DIR; the event
log at LICENSING_EVENT_LOG when set) into <dir>, which must be new or empty,
while the engine runs: each through SQLite's backup API, the event log last, so
that the copy is consistent. Writes a manifest (manifest.json) with each file's
size and SHA-256. Restore with \`licensing restore <dir>\`.

options:
  --include-secrets  also copy the generated secrets (admin-token, signing-key.pem,
                     webhook-secret-key): without them a restored engine generates new
                     ones, and earlier license tokens and sealed webhook secrets no
                     longer verify or open. Keep such a backup as safe as the keys.
  -h, --help         this help

With EVENTSTORE_CONNECTION_STRING set, the log is in EventStoreDB: back it up
with its own tools; this copies the node's local files.`

export const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')

/** Copies one SQLite database, in one step of the backup API (one consistent snapshot), and checks the copy. */
const copySqlite = async (source: string, target: string): Promise<void> => {
  const db = new Database(source, { readonly: true, fileMustExist: true })
  try {
    db.pragma('busy_timeout = 10000')
    await db.backup(target, { progress: () => 0x7fffffff })
  } finally {
    db.close()
  }
  const copy = new Database(target, { readonly: true, fileMustExist: true })
  try {
    const check = copy.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new Error(`the copy of ${source} does not pass quick_check: ${String(check)}`)
  } finally {
    copy.close()
  }
}

export const backupCommand = async (args: readonly string[], env: NodeJS.ProcessEnv, { out, err }: Output): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'include-secrets': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  })
  if (values.help === true) return (out(`${BACKUP_HELP}\n`), 0)
  const [dir, ...rest] = positionals
  if (dir === undefined || rest.length > 0) return (err(`${BACKUP_HELP}\n`), 2)
  const config = loadConfig(env)
  if (E.isLeft(config)) {
    for (const problem of config.left) err(`configuration error: ${problem}\n`)
    return 2
  }
  const { dataDir, eventStoreConnectionString } = config.right
  if (!existsSync(dataDir)) return (err(`no data directory at ${resolve(dataDir)} (set LICENSING_DATA_DIR)\n`), 2)
  const log = eventLogPath(config.right)
  const embedded = eventStoreConnectionString === null
  if (embedded && !existsSync(log)) return (err(`no event log at ${resolve(log)}\n`), 2)
  if (existsSync(dir) && readdirSync(dir).length > 0) return (err(`${resolve(dir)} is not empty: a backup goes into a new or empty directory\n`), 2)
  mkdirSync(dir, { recursive: true, mode: 0o700 })

  // The derived files first, the log last (see above).
  const logName = DATA_FILES.eventLog
  const derived = readdirSync(dataDir)
    .filter((name) => name.endsWith('.sqlite') && name !== logName && statSync(join(dataDir, name)).isFile())
    .filter((name) => resolve(dataDir, name) !== resolve(log))
    .sort()
  const sqlite: ReadonlyArray<readonly [name: string, source: string]> = [
    ...derived.map((name) => [name, join(dataDir, name)] as const),
    ...(embedded ? [[logName, log] as const] : []),
  ]
  const files: ManifestFile[] = []
  const record = (name: string, kind: ManifestFile['kind']): void => {
    const path = join(dir, name)
    files.push({ name, kind, bytes: statSync(path).size, sha256: sha256Of(path) })
  }
  for (const [name, source] of sqlite) {
    await copySqlite(source, join(dir, name))
    record(name, 'sqlite')
    err(`backup: ${name} copied\n`)
  }
  for (const name of PLAIN_FILES) {
    if (!existsSync(join(dataDir, name))) continue
    copyFileSync(join(dataDir, name), join(dir, name))
    record(name, 'file')
  }
  const includeSecrets = values['include-secrets'] === true
  if (includeSecrets) {
    for (const name of SECRET_FILES) {
      if (!existsSync(join(dataDir, name))) continue
      copyFileSync(join(dataDir, name), join(dir, name))
      chmodSync(join(dir, name), 0o600)
      record(name, 'secret')
    }
  }
  const manifest: Manifest = {
    format: BACKUP_FORMAT,
    engineVersion: VERSION,
    createdAt: new Date().toISOString(),
    dataDir: resolve(dataDir),
    secrets: includeSecrets,
    files,
  }
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
  const skipped = includeSecrets ? [] : SECRET_FILES.filter((name) => existsSync(join(dataDir, name)))
  out(
    `backed up ${files.length} file(s) into ${resolve(dir)}${embedded ? '' : ' (the log itself is in EventStoreDB: back it up with its own tools)'}\n` +
      (skipped.length === 0 ? '' : `not copied (secrets; --include-secrets copies them): ${skipped.join(', ')}\n`),
  )
  return 0
}
