// Tokens kept by the holder's record (signed-tokens.ts): asked again for the
// same record, the kept token is found without the claims' text being built;
// another record with the same claims finds it by its text, without signing;
// a record with other claims (a renewal), other shared claims (the license's
// terms) or another key signs a new one.
import { describe, expect, it } from 'vitest'
import { createSignedTokens } from '../../src/application/signed-tokens.js'
import { createTokenSigner, generateSigningKey, type TokenSigner } from '../../src/application/signing.js'

/** The real signer, with how often it signed. */
const counting = () => {
  const signer = createTokenSigner(generateSigningKey())
  const calls = { sign: 0 }
  const counted: TokenSigner = {
    ...signer,
    sign: (payload) => {
      calls.sign++
      return signer.sign(payload)
    },
  }
  return { signer: counted, calls }
}

interface Holder {
  readonly seatId: string
  readonly exp: number
}

describe('tokens kept by the holder’s record', () => {
  it('finds the kept token by the record without building its text, by the text for a new record, and signs for new claims', async () => {
    const { signer, calls } = counting()
    const tokens = createSignedTokens(signer)
    let texts = 0
    const own = (holder: Holder) => ({
      record: holder,
      text: () => {
        texts++
        return JSON.stringify([holder.seatId, holder.exp])
      },
    })
    const payload = (holder: Holder) => () => ({ sub: 'order-1', jti: holder.seatId, exp: holder.exp, kind: 'seat' })
    const seat: Holder = { seatId: 'seat-1', exp: 100 }

    const first = await tokens.token('seat-1', 'order', own(seat), payload(seat))
    expect(calls.sign).toBe(1)
    const textsThen = texts
    for (let i = 0; i < 3; i++) expect(tokens.token('seat-1', 'order', own(seat), payload(seat))).toBe(first)
    expect(texts).toBe(textsThen)

    // The same claims in another record (a copy): found by its text, then by that record.
    const copy: Holder = { ...seat }
    expect(tokens.token('seat-1', 'order', own(copy), payload(copy))).toBe(first)
    const textsAfterCopy = texts
    expect(tokens.token('seat-1', 'order', own(copy), payload(copy))).toBe(first)
    expect(texts).toBe(textsAfterCopy)
    expect(calls.sign).toBe(1)

    // A renewal is a record with other claims: signed.
    const renewed: Holder = { seatId: 'seat-1', exp: 200 }
    const second = await tokens.token('seat-1', 'order', own(renewed), payload(renewed))
    expect(second).not.toBe(first)
    expect(calls.sign).toBe(2)
    // The order's shared claims changed (the license's terms): signed again, though the record is the same.
    const third = await tokens.token('seat-1', 'order changed', own(renewed), payload(renewed))
    expect(calls.sign).toBe(3)
    expect(third).toBe(second) // the payload here holds no shared claims: the same claims give the same token
    // Asked by text, as before records were kept.
    expect(tokens.token('seat-1', 'order changed', JSON.stringify(['seat-1', 200]), payload(renewed))).toBe(second)
    expect(calls.sign).toBe(3)
  })
})
