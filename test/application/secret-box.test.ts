// Sealed webhook secrets: they open with the key and owner they were sealed
// for, and with nothing else.
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { createSecretBox, parseSecretKey } from '../../src/application/secret-box.js'

const key = randomBytes(32)
const box = createSecretBox(key)

describe('secret box (AES-256-GCM)', () => {
  it('given a sealed secret, when opened by its owner with the same key, then the secret', () => {
    const sealed = box.seal('whsec_top-secret', 'endpoint-1')
    expect(sealed.alg).toBe('A256GCM')
    expect(JSON.stringify(sealed)).not.toContain('top-secret')
    expect(box.open(sealed, 'endpoint-1')).toEqual(E.right('whsec_top-secret'))
  })
  it('given the same secret sealed twice, then two different ciphertexts (a fresh IV each time)', () => {
    expect(box.seal('same', 'e').ciphertext).not.toBe(box.seal('same', 'e').ciphertext)
  })
  it('given a sealed secret moved to another owner, then it does not open', () => {
    expect(box.open(box.seal('s', 'endpoint-1'), 'endpoint-2')).toEqual(E.left({ _tag: 'SecretDoesNotOpen' }))
  })
  it('given a tampered ciphertext or a shortened tag, then it does not open', () => {
    const sealed = box.seal('a secret of some length', 'e')
    const flipped = Buffer.from(sealed.ciphertext, 'base64url')
    flipped[0] = flipped[0]! ^ 1
    expect(box.open({ ...sealed, ciphertext: flipped.toString('base64url') }, 'e')).toEqual(E.left({ _tag: 'SecretDoesNotOpen' }))
    const shortTag = Buffer.from(sealed.tag, 'base64url').subarray(0, 4).toString('base64url')
    expect(box.open({ ...sealed, tag: shortTag }, 'e')).toEqual(E.left({ _tag: 'SecretDoesNotOpen' }))
  })
  it('given another key, then the key is named as unknown', () => {
    const other = createSecretBox(randomBytes(32))
    const sealed = box.seal('s', 'e')
    expect(other.open(sealed, 'e')).toEqual(E.left({ _tag: 'UnknownSecretKey', kid: sealed.kid }))
  })
  it('given a rotation, then the new key seals and the previous keys still open what they sealed', () => {
    const older = createSecretBox(randomBytes(32))
    const sealedBefore = [box.seal('sealed by the previous key', 'e'), older.seal('sealed by an older key', 'e')]
    const next = randomBytes(32)
    const rotated = createSecretBox(next, [key, randomBytes(32)])
    expect(rotated.open(sealedBefore[0]!, 'e')).toEqual(E.right('sealed by the previous key'))
    expect(rotated.open(sealedBefore[1]!, 'e')).toEqual(E.left({ _tag: 'UnknownSecretKey', kid: sealedBefore[1]!.kid }))
    const sealedAfter = rotated.seal('sealed after the rotation', 'e')
    expect(createSecretBox(next).open(sealedAfter, 'e')).toEqual(E.right('sealed after the rotation'))
    expect(box.open(sealedAfter, 'e')).toEqual(E.left({ _tag: 'UnknownSecretKey', kid: sealedAfter.kid }))
  })
  it('reads a 32-byte key written as base64, base64url or hex, and nothing else', () => {
    expect(parseSecretKey(key.toString('base64'))).toEqual(key)
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key)
    expect(parseSecretKey(`${key.toString('hex')}\n`)).toEqual(key)
    expect(parseSecretKey(randomBytes(16).toString('base64'))).toBeNull()
    expect(parseSecretKey('not a key')).toBeNull()
  })
})
