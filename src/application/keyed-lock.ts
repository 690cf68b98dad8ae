// Runs work for one key at a time within this process, in arrival order, so
// commands on the same stream never race each other here; conflicts then
// arise only between processes, where optimistic concurrency settles them.
export interface KeyedLock {
  readonly run: <A>(key: string, work: () => Promise<A>) => Promise<A>
}

export const createKeyedLock = (): KeyedLock => {
  const tails = new Map<string, Promise<unknown>>()
  return {
    run: <A>(key: string, work: () => Promise<A>): Promise<A> => {
      const previous = tails.get(key) ?? Promise.resolve()
      const result = previous.then(work, work)
      const tail = result.then(
        () => undefined,
        () => undefined,
      )
      tails.set(key, tail)
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key)
      })
      return result
    },
  }
}
