// Copies of the order's records that grow with its use (its seats, their
// index by client), changed one entry at a time. A spread (`{ ...seats }`)
// builds a fast-properties object one hidden-class transition per key, which
// at a few thousand seats costs milliseconds per grant; a copy made in
// dictionary mode from the start costs a hash insert per entry. Either is
// still a walk, but a cheap one; the records stay plain (JSON, snapshots).

/** An empty object in dictionary mode: entries added to it are hash inserts, not hidden-class transitions. */
const dictionary = <V>(): Record<string, V> => {
  const record: Record<string, V> = { dictionary: undefined as V }
  delete record.dictionary
  return record
}

/** Sets an own entry, even one named `__proto__` (which an assignment would take for the prototype). */
const put = <V>(record: Record<string, V>, key: string, value: V): void => {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  else record[key] = value
}

/** The record with `key` set to `value` (added last when new, in place when not: as a spread would). */
export const withEntry = <V>(record: Readonly<Record<string, V>>, key: string, value: V): Readonly<Record<string, V>> => {
  const copy = dictionary<V>()
  for (const k of Object.keys(record)) put(copy, k, record[k]!)
  put(copy, key, value)
  return copy
}

/** The record without `key`: the record itself when it has no such own entry. */
export const withoutEntry = <V>(record: Readonly<Record<string, V>>, key: string): Readonly<Record<string, V>> => {
  if (!Object.prototype.hasOwnProperty.call(record, key)) return record
  const copy = dictionary<V>()
  for (const k of Object.keys(record)) if (k !== key) put(copy, k, record[k]!)
  return copy
}
