// The public keys a verifier checks checkpoints with: a JWK set from a URL
// (the engine's /.well-known/jwks.json) or a file, or the engine's own keys
// from its configuration (verify-log run beside the engine).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { JSONWebKeySet } from 'jose'
import { parsePreviousSigningKeys, parseSigningKey, SIGNING_KEY_FILE } from '../application/signing-key.js'
import { createTokenSigner } from '../application/signing.js'
import type { Config } from '../config.js'

const isKeySet = (value: unknown): value is JSONWebKeySet =>
  typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys)

export const loadJwks = async (source: string): Promise<JSONWebKeySet> => {
  let text: string
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source)
    if (!response.ok) throw new Error(`${source} answered ${response.status}`)
    text = await response.text()
  } else text = readFileSync(source, 'utf8')
  const parsed: unknown = JSON.parse(text)
  if (!isKeySet(parsed)) throw new Error(`${source} is not a JWK set (an object with "keys")`)
  return parsed
}

/** The engine's public keys as its configuration gives them; null when it has no signing key (yet). */
export const configuredJwks = (config: Config): JSONWebKeySet | null => {
  const file = join(config.dataDir, SIGNING_KEY_FILE)
  const pem = config.signingKey ?? (existsSync(file) ? readFileSync(file, 'utf8') : null)
  if (pem === null) return null
  const signer = createTokenSigner(parseSigningKey(pem), parsePreviousSigningKeys(config.previousSigningKeys ?? null))
  return signer.jwks() as unknown as JSONWebKeySet
}
