// Decoding what a client sent with a codec, the failing fields named as the
// client wrote them, in the API's own envelope. A body is decoded exactly:
// members the codec does not declare are refused with a 400 naming each
// (`decodeExactIn`: admin, seeds 000, 001 and 004), or dropped before it is
// decoded (`decodeIn`: the lenient dialects); either way nothing a client did
// not legitimately send reaches an event.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type * as t from 'io-ts'
import { fieldErrors } from '../domain/validation.js'
import { exactly } from './exact.js'
import type { Dialect, Reply } from './reply.js'

/** Decodes a value already stripped of undeclared members. */
const decodeKept = <A>(dialect: Dialect, codec: t.Decoder<unknown, A>, kept: unknown): E.Either<Reply, A> =>
  pipe(
    codec.decode(kept),
    E.mapLeft((errors) => dialect.problem(400, { fields: fieldErrors(errors) })),
  )

/** Decodes what is left of the input once the members the codec does not declare are dropped. */
export const decodeIn =
  (dialect: Dialect) =>
  <A>(codec: t.Decoder<unknown, A>, input: unknown): E.Either<Reply, A> =>
    decodeKept(dialect, codec, exactly(codec, input).value)

const refusal = (dialect: Dialect, unknown: readonly string[]): Reply =>
  dialect.problem(400, { fields: unknown.map((field) => ({ field, message: 'is not a member of this request' })) })

/** The 400 naming each member of the input the codec does not declare; null when there is none. */
export const undeclaredIn =
  (dialect: Dialect) =>
  (codec: t.Decoder<unknown, unknown>, input: unknown): Reply | null => {
    const unknown = exactly(codec, input).unknown
    return unknown.length === 0 ? null : refusal(dialect, unknown)
  }

/** Decodes, refusing members the codec does not declare (400, each named); the input is walked once for both. */
export const decodeExactIn =
  (dialect: Dialect) =>
  <A>(codec: t.Decoder<unknown, A>, input: unknown): E.Either<Reply, A> => {
    const { value, unknown } = exactly(codec, input)
    return unknown.length === 0 ? decodeKept(dialect, codec, value) : E.left(refusal(dialect, unknown))
  }
