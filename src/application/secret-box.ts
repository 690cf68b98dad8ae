// Seals secrets the engine must be able to use again (webhook signing
// secrets: an HMAC needs the secret itself, so a hash will not do). They are
// kept in the log only as AES-256-GCM ciphertext under a key that lives
// outside the log. The owner's id is bound in as associated data, so a sealed
// secret copied onto another endpoint does not open. Each sealed secret names
// its key, so after a rotation the previous keys still open what they sealed.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import * as E from 'fp-ts/Either'
import type { SealedSecret } from '../domain/webhook-endpoint/events.js'

export type SecretBoxError =
  | { readonly _tag: 'UnknownSecretKey'; readonly kid: string }
  | { readonly _tag: 'SecretDoesNotOpen' }

export interface SecretBox {
  readonly seal: (plaintext: string, owner: string) => SealedSecret
  readonly open: (sealed: SealedSecret, owner: string) => E.Either<SecretBoxError, string>
}

export const SECRET_KEY_BYTES = 32

/** A 32-byte key written as base64, base64url or hex; null when it is not one. */
export const parseSecretKey = (text: string): Buffer | null => {
  const trimmed = text.trim()
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, ''), 'base64url')
      : null
  return bytes !== null && bytes.length === SECRET_KEY_BYTES ? bytes : null
}

/** Names a key without revealing anything about it. */
const keyIdOf = (key: Buffer): string => createHash('sha256').update('licensing-engine secret box v1\u0000').update(key).digest('hex').slice(0, 16)

/** Seals with `key`; opens what it or one of `previousKeys` sealed. */
export const createSecretBox = (key: Buffer, previousKeys: readonly Buffer[] = []): SecretBox => {
  for (const each of [key, ...previousKeys]) {
    if (each.length !== SECRET_KEY_BYTES) throw new RangeError(`the secret key must be ${SECRET_KEY_BYTES} bytes`)
  }
  const kid = keyIdOf(key)
  const opening = new Map([...previousKeys, key].map((each) => [keyIdOf(each), each] as const))
  return {
    seal: (plaintext, owner) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 })
      cipher.setAAD(Buffer.from(owner, 'utf8'))
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return {
        alg: 'A256GCM',
        kid,
        iv: iv.toString('base64url'),
        tag: cipher.getAuthTag().toString('base64url'),
        ciphertext: ciphertext.toString('base64url'),
      }
    },
    open: (sealed, owner) => {
      const sealedWith = opening.get(sealed.kid)
      if (sealedWith === undefined) return E.left({ _tag: 'UnknownSecretKey', kid: sealed.kid })
      try {
        const decipher = createDecipheriv('aes-256-gcm', sealedWith, Buffer.from(sealed.iv, 'base64url'), { authTagLength: 16 })
        decipher.setAAD(Buffer.from(owner, 'utf8'))
        decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'))
        const plaintext = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()])
        return E.right(plaintext.toString('utf8'))
      } catch {
        return E.left({ _tag: 'SecretDoesNotOpen' })
      }
    },
  }
}
