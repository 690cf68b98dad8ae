// SHA-256 of a short text in one call. `crypto.hash` (Node 20.12 and later)
// skips the Hash object `createHash` builds, which shows on the hot paths (a
// credential and a token hashed per request); `engines` promises Node 20, so
// an earlier 20.x falls back to `createHash`, with the same digest.
import * as crypto from 'node:crypto'

type Encoding = 'base64url' | 'hex'
type OneShot = {
  (algorithm: string, data: string, encoding: 'buffer'): Buffer
  (algorithm: string, data: string, encoding: Encoding): string
}

const oneShot = (crypto as { readonly hash?: OneShot }).hash

export const sha256Bytes: (text: string) => Buffer =
  oneShot === undefined ? (text) => crypto.createHash('sha256').update(text).digest() : (text) => oneShot('sha256', text, 'buffer')

export const sha256Text: (text: string, encoding: Encoding) => string =
  oneShot === undefined ? (text, encoding) => crypto.createHash('sha256').update(text).digest(encoding) : (text, encoding) => oneShot('sha256', text, encoding)
