// Ids that need the outside world: integer ids from a sequence stream, and
// activation keys from the operating system's cryptographic randomness.
import { randomInt } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { ActivationKey, KEY_ALPHABET, KEY_GROUP_LENGTH } from '../domain/activation-key/key.js'
import { SequenceAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'

export const allocateId = async (session: Session, sequence: string, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, number>> =>
  pipe(
    await session.handle(SequenceAggregate, { type: 'AllocateId', sequence }, {}, meta),
    E.map((handled) => handled.state),
  )

/** Seed 001's own key format: four groups of five upper-case letters and digits, `II1HP-TX8EQ-R1QXZ-7LYXF` (about 103 bits). */
export const GENERATED_KEY_FORMAT = /^[A-Z0-9]{5}(?:-[A-Z0-9]{5}){3}$/
const GENERATED_KEY_GROUPS = 4

export const generateActivationKey = (): ActivationKey => {
  const group = (): string => Array.from({ length: KEY_GROUP_LENGTH }, () => KEY_ALPHABET[randomInt(KEY_ALPHABET.length)]!).join('')
  const key = Array.from({ length: GENERATED_KEY_GROUPS }, group).join('-')
  if (!ActivationKey.is(key)) throw new Error(`generated an invalid activation key: ${key}`)
  return key
}
