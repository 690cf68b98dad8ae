// Signed checkpoints of the log's hash chain: a compact JWS (Ed25519, the
// engine's token signing key, its kid in /.well-known/jwks.json) over the
// position and the link there. Its own `typ`, so that a checkpoint is never
// taken for a license token, nor a token for a checkpoint. Anyone with the
// public keys verifies one offline.
import type { KeyObject } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { createLocalJWKSet, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose'
import { TOKEN_ALGORITHM, TOKEN_ISSUER } from '../application/signing.js'

export const CHECKPOINT_TYPE = 'log-checkpoint+jwt'

export interface Checkpoint {
  /** The log position whose link it signs (a decimal string on the wire). */
  readonly position: bigint
  readonly link: string
  readonly signedAt: string
  readonly jws: string
}

export type CheckpointSigner = (position: bigint, link: string, at: Date) => Promise<Checkpoint>

export const checkpointSigner =
  (privateKey: KeyObject, kid: string): CheckpointSigner =>
  async (position, link, at) => {
    const jws = await new SignJWT({ pos: position.toString(), link })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid, typ: CHECKPOINT_TYPE })
      .setIssuer(TOKEN_ISSUER)
      .setSubject('log-checkpoint')
      .setIssuedAt(Math.floor(at.getTime() / 1000))
      .sign(privateKey)
    return { position, link, signedAt: at.toISOString(), jws }
  }

/** What a checkpoint's signature vouches for, when it verifies against the keys; else why not. */
export const verifyCheckpoint = async (
  jws: string,
  jwks: JSONWebKeySet,
): Promise<E.Either<string, { readonly position: bigint; readonly link: string; readonly kid: string }>> => {
  try {
    const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(jwks), {
      algorithms: [TOKEN_ALGORITHM],
      issuer: TOKEN_ISSUER,
      subject: 'log-checkpoint',
      typ: CHECKPOINT_TYPE,
    })
    const { pos, link } = payload as { pos?: unknown; link?: unknown }
    if (typeof pos !== 'string' || !/^\d{1,40}$/.test(pos) || typeof link !== 'string') return E.left('its claims are not a checkpoint’s')
    return E.right({ position: BigInt(pos), link, kid: protectedHeader.kid ?? '' })
  } catch (error) {
    return E.left(`its signature does not verify (${error instanceof Error ? error.message : String(error)})`)
  }
}
