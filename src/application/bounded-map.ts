// The bounded memories (signed and verified tokens, the command handler's
// stream states) let the oldest written go first: a Map keeps its keys in
// the order they were set, so the first key is the one to forget.

/** Keeps `value` under `key` as the newest entry of `map`, and forgets the oldest when that makes more than `max`. */
export const keepNewest = <K, V>(map: Map<K, V>, key: K, value: V, max: number): void => {
  map.delete(key)
  map.set(key, value)
  if (map.size > max) map.delete(map.keys().next().value!)
}
