// Where the token signing key comes from: LICENSING_SIGNING_KEY (a PKCS#8
// PEM), or a key generated on first start and kept in the data directory,
// readable by the owner only. Tokens issued before a restart keep verifying
// because the same key is found again; tokens signed with a key since
// replaced keep verifying while it is listed in LICENSING_PREVIOUS_SIGNING_KEYS.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { chmodSync, existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { generateSigningKey, isEd25519 } from './signing.js'

export const SIGNING_KEY_FILE = 'signing-key.pem'

/** PEM as an environment variable may carry it: with real newlines or with `\n`. */
const unescaped = (pem: string): string => (pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem)

export const parseSigningKey = (pem: string): KeyObject => {
  const key = createPrivateKey(unescaped(pem))
  if (!isEd25519(key)) throw new Error('it is not an Ed25519 private key')
  return key
}

/**
 * The previous keys: one or more PEM blocks, each an Ed25519 private key
 * (PKCS#8, as it was set as LICENSING_SIGNING_KEY) or its public key (SPKI).
 * Only their public halves are kept: they verify, never sign. null: none.
 */
export const parsePreviousSigningKeys = (pems: string | null): readonly KeyObject[] => {
  if (pems === null) return []
  const blocks = unescaped(pems).match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g) ?? []
  if (blocks.length === 0) throw new Error('it holds no PEM block')
  return blocks.map((block, index) => {
    let key: KeyObject
    try {
      key = createPublicKey(block)
    } catch {
      throw new Error(`key ${index + 1} is not a PEM key`)
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`key ${index + 1} is not an Ed25519 key`)
    return key
  })
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
