// The key that seals webhook signing secrets: given through the environment,
// or generated on first start and kept, readable by its owner only, in the
// data directory, beside (never inside) the log it protects. Losing it makes
// the sealed secrets unusable: back it up with the data directory's secrets.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { parseSecretKey, SECRET_KEY_BYTES } from '../application/secret-box.js'

export const SECRET_KEY_FILE = 'webhook-secret-key'

export const webhookSecretKeyFor = (configured: string | null, dataDir: string, logger: Logger): Buffer => {
  if (configured !== null) {
    const key = parseSecretKey(configured)
    if (key === null) throw new Error(`LICENSING_WEBHOOK_SECRET_KEY must be ${SECRET_KEY_BYTES} bytes, base64 or hex`)
    return key
  }
  const file = join(dataDir, SECRET_KEY_FILE)
  if (existsSync(file)) {
    const key = parseSecretKey(readFileSync(file, 'utf8'))
    if (key === null) throw new Error(`${file} does not hold a ${SECRET_KEY_BYTES}-byte key (base64 or hex)`)
    return key
  }
  const key = randomBytes(SECRET_KEY_BYTES)
  // 'wx': never overwrite a key another process wrote meanwhile.
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  logger.warn({ file }, 'LICENSING_WEBHOOK_SECRET_KEY is not set: generated the key that seals webhook secrets and saved it in this file')
  return key
}
