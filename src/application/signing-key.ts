// Where the token signing key comes from: LICENSING_SIGNING_KEY (a PKCS#8
// PEM), or a key generated on first start and kept in the data directory,
// readable by the owner only. Tokens issued before a restart keep verifying
// because the same key is found again.
import { createPrivateKey, type KeyObject } from 'node:crypto'
import { chmodSync, existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { generateSigningKey, isEd25519 } from './signing.js'

export const SIGNING_KEY_FILE = 'signing-key.pem'

/** The PEM as an environment variable may carry it: with real newlines or with `\n`. */
export const parseSigningKey = (pem: string): KeyObject => {
  const key = createPrivateKey(pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem)
  if (!isEd25519(key)) throw new Error('it is not an Ed25519 private key')
  return key
}

export const loadSigningKey = (options: { readonly pem: string | null; readonly dataDir: string }, logger: Logger): KeyObject => {
  if (options.pem !== null) return parseSigningKey(options.pem)
  const file = join(options.dataDir, SIGNING_KEY_FILE)
  const existing = (): KeyObject => {
    // Tighten the mode if someone loosened it: this key signs every license token.
    chmodSync(file, 0o600)
    return parseSigningKey(readFileSync(file, 'utf8'))
  }
  if (existsSync(file)) return existing()
  const key = generateSigningKey()
  // Written whole, then linked into place: the link fails if another process got there first, and then its key is the key.
  const draft = `${file}.${process.pid}.tmp`
  writeFileSync(draft, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  try {
    linkSync(draft, file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return existing()
  } finally {
    unlinkSync(draft)
  }
  logger.warn({ file }, 'LICENSING_SIGNING_KEY is not set: generated an Ed25519 token signing key and saved it in this file')
  return key
}
