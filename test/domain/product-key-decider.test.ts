import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { productKeyDecider, type ProductKeyEvent } from '../../src/domain/product-key/index.js'
import { LATER, NOW } from './fixtures.js'
import { specify } from './given.js'

const given = specify(productKeyDecider)
const sealed = { alg: 'A256GCM' as const, kid: 'k1', iv: 'iv', tag: 'tag', ciphertext: 'c1' }
const keyPair = { alg: 'RS256' as const, publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', privateKey: sealed }
const generated: ProductKeyEvent = { type: 'ProductKeyPairGenerated', data: { productId: 'P1', at: NOW.toISOString(), ...keyPair } }

describe('product key decider (seed 003 activation-token key pairs)', () => {
  it('given a product without a key pair, when one is recorded, then ProductKeyPairGenerated and the state holds it', () => {
    const when = given().when({ type: 'RecordProductKeyPair', productId: 'P1', ...keyPair }, { now: NOW })
    when.then(E.right([generated]))
    expect(when.state()).toEqual({ keyPair })
  })
  it('given a product with a key pair, when another is recorded (a second node raced), then nothing happens and the first stays', () => {
    const other = { ...keyPair, privateKey: { ...sealed, ciphertext: 'c2' } }
    const when = given(generated).when({ type: 'RecordProductKeyPair', productId: 'P1', ...other }, { now: LATER })
    when.then(E.right([]))
    expect(when.state()).toEqual({ keyPair })
  })
})
