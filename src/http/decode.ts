// Decoding what a client sent with a codec, the failing fields named as the
// client wrote them, in the API's own envelope.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type * as t from 'io-ts'
import { fieldErrors } from '../domain/validation.js'
import type { Dialect, Reply } from './reply.js'

export const decodeIn =
  (dialect: Dialect) =>
  <A>(codec: t.Decoder<unknown, A>, input: unknown): E.Either<Reply, A> =>
    pipe(
      codec.decode(input),
      E.mapLeft((errors) => dialect.problem(400, { fields: fieldErrors(errors) })),
    )
