// A clock tests move by hand, so time-based rules are tested without sleeping.
export interface TestClock {
  readonly now: () => Date
  readonly advance: (ms: number) => void
  readonly set: (at: Date) => void
}

export const testClock = (start = new Date('2026-11-22T10:00:00.000Z')): TestClock => {
  let current = start.getTime()
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms
    },
    set: (at) => {
      current = at.getTime()
    },
  }
}
