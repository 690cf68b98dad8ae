// Ids that need the outside world: integer ids from a sequence stream, and
// activation keys from the operating system's cryptographic randomness.
import { randomInt } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { activationKeyFrom, KEY_ALPHABET, KEY_GROUPS, KEY_GROUP_LENGTH, type ActivationKey } from '../domain/activation-key/key.js'
import { SequenceAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'

export const allocateId = async (session: Session, sequence: string, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, number>> =>
  pipe(
    await session.handle(SequenceAggregate, { type: 'AllocateId', sequence }, {}, meta),
    E.map((handled) => handled.state),
  )

export const generateActivationKey = (): ActivationKey =>
  activationKeyFrom(Array.from({ length: KEY_GROUPS * KEY_GROUP_LENGTH }, () => randomInt(KEY_ALPHABET.length)))
