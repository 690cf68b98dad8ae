// The key that seals webhook signing secrets: given through the environment,
// or generated on first start and kept, readable by its owner only, in the
// data directory, beside (never inside) the log it protects. Losing it makes
// the sealed secrets unusable: back it up with the data directory's secrets.
// After a rotation the previous keys, still configured, open what they sealed.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { createSecretBox, parseSecretKey, SECRET_KEY_BYTES, type SecretBox } from '../application/secret-box.js'

export const SECRET_KEY_FILE = 'webhook-secret-key'

const configuredKey = (name: string, text: string): Buffer => {
  const key = parseSecretKey(text)
  if (key === null) throw new Error(`${name} must be ${SECRET_KEY_BYTES} bytes, base64 or hex`)
  return key
}

const webhookSecretKeyFor = (configured: string | null, dataDir: string, logger: Logger): Buffer => {
  if (configured !== null) return configuredKey('LICENSING_WEBHOOK_SECRET_KEY', configured)
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

/** Seals with the current key (configured or kept in the data directory); opens with it or a previous one. */
export const webhookSecretBox = (
  keys: { readonly secretKey: string | null; readonly previousSecretKeys: readonly string[] },
  dataDir: string,
  logger: Logger,
): SecretBox =>
  createSecretBox(
    webhookSecretKeyFor(keys.secretKey, dataDir, logger),
    keys.previousSecretKeys.map((text) => configuredKey('LICENSING_WEBHOOK_PREVIOUS_SECRET_KEYS', text)),
  )
