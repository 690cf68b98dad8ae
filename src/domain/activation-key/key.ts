// What an activation key may look like. Generated keys follow the format of
// seed 001's keys (groups of five upper-case letters and digits joined by
// dashes; the engine now generates the seed's four groups, `II1HP-TX8EQ-R1QXZ-7LYXF`,
// in application/ids.ts, and keys generated earlier with five stay valid); keys a
// vendor chooses may be any short token, since seed 000's own example sets the key "AK654321".
import * as t from 'io-ts'

export const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
export const KEY_GROUPS = 5
export const KEY_GROUP_LENGTH = 5

const KEY = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/

export interface ActivationKeyBrand {
  readonly ActivationKey: unique symbol
}

export const ActivationKey = t.brand(
  t.string,
  (s): s is t.Branded<string, ActivationKeyBrand> => KEY.test(s),
  'ActivationKey',
)
export type ActivationKey = t.TypeOf<typeof ActivationKey>

/** A vendor-supplied key, with a message that says what is allowed. */
export const ActivationKeyInput = new t.Type<ActivationKey, string, unknown>(
  'an activation key',
  ActivationKey.is,
  (u, c) =>
    typeof u === 'string' && KEY.test(u)
      ? t.success(u as ActivationKey)
      : t.failure(u, c, 'must be 1 to 64 letters, digits, dashes or underscores, starting and ending with a letter or digit'),
  (k) => k,
)

/**
 * Builds a key from random alphabet indexes (the randomness comes from the
 * caller, so this stays pure): KEY_GROUPS groups of KEY_GROUP_LENGTH characters.
 */
export const activationKeyFrom = (indexes: readonly number[]): ActivationKey => {
  const length = KEY_GROUPS * KEY_GROUP_LENGTH
  if (indexes.length !== length) throw new RangeError(`an activation key needs ${length} random indexes`)
  const chars = indexes.map((i) => KEY_ALPHABET[i % KEY_ALPHABET.length]!)
  const groups: string[] = []
  for (let g = 0; g < KEY_GROUPS; g += 1) groups.push(chars.slice(g * KEY_GROUP_LENGTH, (g + 1) * KEY_GROUP_LENGTH).join(''))
  return groups.join('-') as ActivationKey
}

export const GENERATED_KEY = /^[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}$/
