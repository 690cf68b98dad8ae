// Custom codecs over a structural one: what a request may send, said once.
import type * as t from 'io-ts'

/**
 * A custom codec that decodes a structural one (its shape) and then
 * normalises the result: the shape tells which members a request may send,
 * which a custom codec alone cannot say.
 */
export interface Shaped {
  readonly shape: t.Decoder<unknown, unknown>
}
export const shaped = <C extends t.Decoder<unknown, unknown>>(codec: C, shape: t.Decoder<unknown, unknown>): C & Shaped => Object.assign(codec, { shape })
