// The bounded memories forget the oldest written first; writing a key again makes it the newest.
import { describe, expect, it } from 'vitest'
import { keepNewest } from '../../src/application/bounded-map.js'

describe('keepNewest', () => {
  it('holds at most max entries, forgetting the oldest written, and a key written again becomes the newest', () => {
    const map = new Map<string, number>()
    for (const [key, value] of [['a', 1], ['b', 2], ['c', 3]] as const) keepNewest(map, key, value, 3)
    keepNewest(map, 'a', 10, 3)
    keepNewest(map, 'd', 4, 3)
    expect([...map]).toEqual([['c', 3], ['a', 10], ['d', 4]])
  })

  it('keeps nothing when max is 0', () => {
    const map = new Map<string, number>()
    keepNewest(map, 'a', 1, 0)
    expect(map.size).toBe(0)
  })
})
