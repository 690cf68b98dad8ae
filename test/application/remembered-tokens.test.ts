// Tokens verified once and tokens signed once (verified-tokens.ts,
// signed-tokens.ts), against the real signer, counting what reaches it.
import { createPublicKey } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { decodeProtectedHeader, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createSignedTokens } from '../../src/application/signed-tokens.js'
import { createTokenSigner, generateSigningKey, type TokenSigner } from '../../src/application/signing.js'
import { createVerifiedTokens } from '../../src/application/verified-tokens.js'

/** The real signer, with how often it verified and signed. */
const counting = () => {
  const signer = createTokenSigner(generateSigningKey())
  const calls = { verify: 0, sign: 0 }
  const counted: TokenSigner = {
    ...signer,
    verify: (token) => {
      calls.verify++
      return signer.verify(token)
    },
    sign: (payload) => {
      calls.sign++
      return signer.sign(payload)
    },
  }
  return { signer: counted, calls }
}

const seatClaims = (jti: string) => ({ sub: 'order-1', jti, kind: 'seat', client: { id: 'c' }, machine: { id: 'm' } })

describe('verified tokens', () => {
  it('verifies a token once, and answers its claims from memory after', async () => {
    const { signer, calls } = counting()
    const token = await signer.sign(seatClaims('seat-1'))
    const tokens = createVerifiedTokens(signer, () => new Date(0))
    const first = await tokens.read(token)
    const second = await tokens.read(token)
    // Only the claims the engine reads back, the same from memory as verified.
    expect(first).toEqual(E.right({ sub: 'order-1', jti: 'seat-1', kind: 'seat', client: { id: 'c' }, machine: { id: 'm' } }))
    expect(second).toEqual(first)
    expect(calls.verify).toBe(1)
  })

  it('remembers what the signer signs as it signs it: such a token is read back without a signature check', async () => {
    const { signer, calls } = counting()
    const tokens = createVerifiedTokens(signer, () => new Date(0))
    const token = await signer.sign(seatClaims('seat-1'))
    expect(tokens.size()).toBe(1)
    expect(await tokens.read(token)).toEqual(E.right({ sub: 'order-1', jti: 'seat-1', kind: 'seat', client: { id: 'c' }, machine: { id: 'm' } }))
    expect(calls.verify).toBe(0)
    // Not a token the engine reads back (no seat or activation claims): not remembered, refused when presented.
    const other = await signer.sign({ sub: 'order-1' })
    expect(tokens.size()).toBe(1)
    expect(await tokens.read(other)).toEqual(E.left({ _tag: 'InvalidToken', reason: 'claims' }))
    expect(calls.verify).toBe(1)
  })

  it('never remembers a token that failed, and refuses a tampered one every time', async () => {
    const { signer, calls } = counting()
    const token = await signer.sign(seatClaims('seat-1'))
    const [header, , signature] = token.split('.')
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...seatClaims('seat-2'), iss: 'licensing-engine' })).toString('base64url')}.${signature}`
    const tokens = createVerifiedTokens(signer, () => new Date(0))
    expect(await tokens.read(token)).toEqual(E.right(expect.objectContaining({ jti: 'seat-1' })))
    expect(await tokens.read(forged)).toEqual(E.left({ _tag: 'InvalidToken', reason: 'bad-signature' }))
    expect(await tokens.read(forged)).toEqual(E.left({ _tag: 'InvalidToken', reason: 'bad-signature' }))
    expect(tokens.size()).toBe(1)
    expect(calls.verify).toBe(3)
  })

  it('checks its memory’s expiry at every use: past it (or with the clock set back before it began) the token is verified again', async () => {
    const { signer, calls } = counting()
    const token = await signer.sign(seatClaims('seat-1'))
    let now = 1_000_000
    const tokens = createVerifiedTokens(signer, () => new Date(now), 10, 60_000)
    await tokens.read(token)
    now += 59_999
    await tokens.read(token)
    expect(calls.verify).toBe(1)
    now += 1
    await tokens.read(token)
    expect(calls.verify).toBe(2)
    now -= 1_000
    await tokens.read(token)
    expect(calls.verify).toBe(3)
  })

  it('is bounded: past its size the oldest are let go', async () => {
    const { signer, calls } = counting()
    const tokens = createVerifiedTokens(signer, () => new Date(0), 2)
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => signer.sign(seatClaims(id))))
    for (const token of [a!, b!, c!]) await tokens.read(token)
    expect(tokens.size()).toBe(2)
    await tokens.read(c!)
    expect(calls.verify).toBe(3)
    await tokens.read(a!)
    expect(calls.verify).toBe(4)
  })
})

describe('signed tokens', () => {
  it('signs a seat’s claims once, gives the very token signing would, and signs again when its claims change', async () => {
    const { signer, calls } = counting()
    const tokens = createSignedTokens(signer)
    const claims = (exp: number) => ({ ...seatClaims('seat-1'), exp })
    const first = await tokens.token('seat-1', 'order', JSON.stringify(claims(100)), () => claims(100))
    expect(tokens.token('seat-1', 'order', JSON.stringify(claims(100)), () => claims(100))).toBe(first)
    expect(calls.sign).toBe(1)
    // Ed25519 is deterministic: the kept token is the one signing again gives.
    expect(first).toBe(await signer.sign({ ...seatClaims('seat-1'), exp: 100 }))
    const renewed = await tokens.token('seat-1', 'order', JSON.stringify(claims(200)), () => claims(200))
    // The order's shared claims changed (its features, say): signed again.
    expect(await tokens.token('seat-1', 'order changed', JSON.stringify(claims(200)), () => claims(200))).toBe(renewed)
    expect(calls.sign).toBe(4)
    expect(renewed).not.toBe(first)
    expect(E.isRight(await signer.verify(renewed))).toBe(true)
    expect(tokens.size()).toBe(1)
  })

  it('is bounded: past its size the least recently signed are let go', async () => {
    const { signer, calls } = counting()
    const tokens = createSignedTokens(signer, 2)
    for (const id of ['a', 'b', 'c']) await tokens.token(id, '', id, () => seatClaims(id))
    expect(tokens.size()).toBe(2)
    await tokens.token('a', '', 'a', () => seatClaims('a'))
    expect(calls.sign).toBe(4)
  })
  it('signs a kept token again with the new key once the signing key is rotated (two configured keys)', async () => {
    const oldKey = generateSigningKey()
    const newKey = generateSigningKey()
    const before = createTokenSigner(oldKey)
    // After rotation: the new key signs, the old one (its public half) only verifies.
    const after = createTokenSigner(newKey, [createPublicKey(oldKey)])
    let current = before
    const rotating: TokenSigner = {
      get kid() {
        return current.kid
      },
      sign: (payload) => current.sign(payload),
      verify: (token) => current.verify(token),
      jwks: () => current.jwks(),
      onSigned: (listener) => {
        before.onSigned(listener)
        after.onSigned(listener)
      },
    }
    const tokens = createSignedTokens(rotating)
    const claims = { ...seatClaims('seat-1'), exp: 100 }
    const old = await tokens.token('seat-1', 'order', JSON.stringify(claims), () => claims)
    expect(decodeProtectedHeader(old).kid).toBe(before.kid)
    current = after
    const renewed = await tokens.token('seat-1', 'order', JSON.stringify(claims), () => claims)
    expect(decodeProtectedHeader(renewed).kid).toBe(after.kid)
    expect(renewed).toBe(await after.sign(claims))
    // Kept from then on, under the new key.
    expect(tokens.token('seat-1', 'order', JSON.stringify(claims), () => claims)).toBe(renewed)
  })
})

describe('tokens signed here', () => {
  it('read back as a signer that never signed them reads them; a tampered one is still refused', async () => {
    const key = generateSigningKey()
    const signer = createTokenSigner(key)
    // The same key in another process: it remembers nothing and checks every signature.
    const elsewhere = createTokenSigner(key)
    const token = await signer.sign(seatClaims('seat-1'))
    expect(await signer.verify(token)).toEqual(await elsewhere.verify(token))
    expect(await signer.verify(token)).toEqual(E.right({ ...seatClaims('seat-1'), iss: 'licensing-engine' }))
    const [header, payload, signature] = token.split('.')
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...seatClaims('seat-2'), iss: 'licensing-engine' })).toString('base64url')}.${signature}`
    const tampered = `${header}.${payload}.${signature!.slice(0, 10)}${signature![10] === 'A' ? 'B' : 'A'}${signature!.slice(11)}`
    expect(await signer.verify(forged)).toEqual(E.left('bad-signature'))
    expect(await signer.verify(tampered)).toEqual(E.left('bad-signature'))
  })
})

describe('signing', () => {
  it('makes the very token jose’s SignJWT makes of the same claims', async () => {
    const key = generateSigningKey()
    const signer = createTokenSigner(key)
    const claims = { ...seatClaims('seat-1'), iat: 1_800_000_000, exp: 1_800_003_600, name: 'Zoë ✓', nested: { list: [1, 'two', null] } }
    const jose = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'JWT' }).setIssuer('licensing-engine').sign(key)
    expect(await signer.sign(claims)).toBe(jose)
    // A payload that names its issuer already keeps the member where it stands.
    const withIssuer = { iss: 'someone', ...seatClaims('seat-2') }
    expect(await signer.sign(withIssuer)).toBe(await new SignJWT(withIssuer).setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'JWT' }).setIssuer('licensing-engine').sign(key))
  })
})
