// The admin API's resources: a page of a list, from a read model once it
// holds this process's writes; one resource by the path's id, from its own
// stream; and a PATCH of one, where the fields not sent keep their value.
import * as E from 'fp-ts/Either'
import { identity, pipe } from 'fp-ts/function'
import type { Request } from 'express'
import type * as t from 'io-ts'
import type { Failure } from '../../application/failures.js'
import type { Call } from '../call.js'
import { decodeIn, undeclaredIn } from '../decode.js'
import { reply, type Dialect, type Reply } from '../reply.js'
import { pageOf } from './paging.js'

/** `{ items, limit, offset }`, for ?limit and ?offset. */
export const pagedList =
  <A>(fresh: () => Promise<unknown>, list: (limit: number, offset: number) => readonly A[], body: (item: A) => unknown) =>
  async ({ req }: Pick<Call, 'req'>): Promise<Reply> => {
    const page = pageOf(req)
    if (E.isLeft(page)) return page.left
    await fresh()
    return reply(200, { items: list(page.right.limit, page.right.offset).map(body), ...page.right })
  }

export interface ById<Id, A> {
  /** The path's id, or null when it cannot name one. */
  readonly id: (req: Request) => Id | null
  readonly get: (call: Call, id: Id) => Promise<A | null>
  readonly missing: (req: Request) => Reply
  readonly body: (found: A) => unknown
}

/** The resource the path's id names, or the reply that there is none. */
export const find = async <Id, A>({ id, get, missing }: ById<Id, A>, call: Call): Promise<E.Either<Reply, A>> => {
  const given = id(call.req)
  const found = given === null ? null : await get(call, given)
  return found === null ? E.left(missing(call.req)) : E.right(found)
}

/** A GET of the resource the path's id names. */
export const byId =
  <Id, A>(resource: ById<Id, A>) =>
  async (call: Call): Promise<Reply> =>
    pipe(
      await find(resource, call),
      E.match(identity, (found) => reply(200, resource.body(found))),
    )

/** The body laid over what is (a body that is not an object is left to fail decoding). */
const mergedOnto = (current: Readonly<Record<string, unknown>>, body: unknown): unknown =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...current, ...body } : body

export interface Patchable<Id, A, Input> extends ById<Id, A> {
  /** The fields a PATCH may send, as they are now. */
  readonly fields: (found: A) => Readonly<Record<string, unknown>>
  /** What the fields, sent and kept, decode to: the change's command codec. */
  readonly codec: t.Decoder<unknown, Input>
  readonly change: (call: Call, found: A, input: Input) => Promise<E.Either<Failure, A>>
}

/** A PATCH of the resource the path's id names: the fields not sent keep their value, and the whole is decoded as a new value. */
export const patchById =
  <Id, A, Input>(resource: Patchable<Id, A, Input>, dialect: Dialect, failure: (failure: Failure) => Reply) =>
  async (call: Call): Promise<Reply> => {
    const found = await find(resource, call)
    if (E.isLeft(found)) return found.left
    // What the client sent is checked for undeclared members; what is kept is not its to answer for.
    const undeclared = undeclaredIn(dialect)(resource.codec, call.req.body)
    if (undeclared !== null) return undeclared
    const input = decodeIn(dialect)(resource.codec, mergedOnto(resource.fields(found.right), call.req.body))
    if (E.isLeft(input)) return input.left
    const changed = await resource.change(call, found.right, input.right)
    return E.isLeft(changed) ? failure(changed.left) : reply(200, resource.body(changed.right))
  }
