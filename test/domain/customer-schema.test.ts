// The customer's event schema moved from version 1 (profiles that may lack
// CustomTags) to 2; stored version 1 events are upcast when read.
import { describe, expect, it } from 'vitest'
import { domainSchemas } from '../../src/domain/events.js'
import { upcast } from '../../src/domain/versioning.js'

const v1Profile = {
  name: 'Rivers Inc',
  description: null,
  phone_number: null,
  fax_number: null,
  street: null,
  city: 'Shortport',
  country: 'USA',
  zip_code: null,
  state: null,
  Contacts: [],
}
const AT = '2026-11-22T10:00:00.000Z'

describe('customer events across schema versions', () => {
  it('writes customer events at version 2', () => {
    expect(domainSchemas.versions.CustomerCreated).toBe(2)
    expect(domainSchemas.versions.CustomerUpdated).toBe(2)
  })

  it('given a version 1 event without CustomTags, when read, then its customer has none', () => {
    for (const type of ['CustomerCreated', 'CustomerUpdated']) {
      expect(upcast(domainSchemas, type, 1, { customerId: 7, profile: v1Profile, at: AT })).toEqual({
        ok: true,
        data: { customerId: 7, profile: { ...v1Profile, CustomTags: [] }, at: AT },
      })
    }
  })

  it('given a version 1 event that carries CustomTags, when read, then it keeps them', () => {
    const tags = [{ tag_name: 'region', value: 'north' }]
    const data = { customerId: 7, profile: { ...v1Profile, CustomTags: tags }, at: AT }
    expect(upcast(domainSchemas, 'CustomerUpdated', 1, data)).toEqual({ ok: true, data })
  })
})
