// Ids that need the outside world: integer ids from a sequence stream, and
// activation keys from the operating system's cryptographic randomness.
import { randomInt } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { activationKeyFrom, KEY_ALPHABET, KEY_GROUPS, KEY_GROUP_LENGTH, type ActivationKey } from '../domain/activation-key/key.js'
import { sequenceDecider, sequenceStream } from '../domain/sequence/index.js'
import { SequenceAggregate } from './aggregates.js'
import type { CommandHandler, ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'

export const allocateId = async (
  handler: CommandHandler,
  sequence: string,
  meta: CommandMeta,
): Promise<E.Either<ConcurrencyConflict, number>> =>
  pipe(
    await handler.execute(SequenceAggregate, sequenceStream(sequence), (last, now) => sequenceDecider.decide({ type: 'AllocateId' }, last, { now }), meta),
    E.map((executed) => executed.state),
  )

export const generateActivationKey = (): ActivationKey =>
  activationKeyFrom(Array.from({ length: KEY_GROUPS * KEY_GROUP_LENGTH }, () => randomInt(KEY_ALPHABET.length)))
