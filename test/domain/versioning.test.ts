import { describe, expect, it } from 'vitest'
import { upcast, type EventSchemas } from '../../src/domain/versioning.js'

// A made-up event whose schema moved twice: v1 had `name`, v2 split it, v3 added a default.
const schemas: EventSchemas<'PersonNamed'> = {
  versions: { PersonNamed: 3 },
  upcasters: {
    PersonNamed: {
      1: (data) => {
        const { name } = data as { name: string }
        const [first, ...rest] = name.split(' ')
        return { first, last: rest.join(' ') }
      },
      2: (data) => ({ ...(data as object), title: null }),
    },
  },
}

describe('event upcasting', () => {
  it('given data stored at version 1, when read, then it is brought step by step to the current version', () => {
    expect(upcast(schemas, 'PersonNamed', 1, { name: 'Ada King Lovelace' })).toEqual({
      ok: true,
      data: { first: 'Ada', last: 'King Lovelace', title: null },
    })
  })
  it('given data at the current version, then it is left as it is', () => {
    expect(upcast(schemas, 'PersonNamed', 3, { first: 'A', last: 'B', title: 'Dr' })).toEqual({ ok: true, data: { first: 'A', last: 'B', title: 'Dr' } })
  })
  it('given an unknown type or a version from the future, then it is an error, not a silent skip', () => {
    expect(upcast(schemas, 'Other', 1, {})).toEqual({ ok: false, error: { _tag: 'UnknownEventType', type: 'Other' } })
    expect(upcast(schemas, 'PersonNamed', 4, {})).toEqual({ ok: false, error: { _tag: 'FutureSchemaVersion', type: 'PersonNamed', version: 4, current: 3 } })
  })
  it('given a gap in the upcasters, then it says which step is missing', () => {
    const gap: EventSchemas<'PersonNamed'> = { versions: { PersonNamed: 3 }, upcasters: { PersonNamed: { 2: (d) => d } } }
    expect(upcast(gap, 'PersonNamed', 1, {})).toEqual({ ok: false, error: { _tag: 'MissingUpcaster', type: 'PersonNamed', fromVersion: 1 } })
  })
})
