// How large and how deep a request body may be. Anything recursive that
// touches a body (a fingerprint's JSON.stringify, a codec, the event log's
// serialiser) runs only on a body within these bounds, so a hostile body of
// thousands of nested levels is refused at the door instead of overflowing
// the stack somewhere past a write.

/** Bodies nest at most this many levels of objects and arrays (the documented ones need fewer than 6). */
export const MAX_BODY_DEPTH = 32

/** Whether a parsed JSON value nests deeper than `max` levels; walked without recursion, stopping at the first too deep. */
export const nestsDeeperThan = (value: unknown, max: number = MAX_BODY_DEPTH): boolean => {
  const pending: Array<readonly [unknown, number]> = [[value, 1]]
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!
    if (typeof current !== 'object' || current === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1])
    }
  }
  return false
}

export const tooDeepDetail = `the request body nests deeper than ${MAX_BODY_DEPTH} levels`
