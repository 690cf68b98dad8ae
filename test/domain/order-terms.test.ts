// Every rule of seed 001's license order body, as: given a body, when it is
// decoded into terms, then these terms or these field errors.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { describe, expect, it } from 'vitest'
import { OrderTermsInput } from '../../src/domain/order/terms.js'
import { fieldErrors, type FieldError } from '../../src/domain/validation.js'
import { seedOrderBody, seedTerms } from './fixtures.js'

const decoded = (body: unknown) => pipe(OrderTermsInput.decode(body), E.mapLeft(fieldErrors))

const givenBody = (patch: Record<string, unknown> = {}) => ({ ...seedOrderBody(), ...patch })
const givenFeature = (patch: Record<string, unknown>, order: Record<string, unknown> = {}) => {
  const body = seedOrderBody()
  const [feature] = body.Features as Record<string, unknown>[]
  return { ...body, ...order, Features: [{ ...feature, ...patch }] }
}
const without = (body: Record<string, unknown>, field: string) => {
  const copy = { ...body }
  delete copy[field]
  return copy
}
const featureWithout = (field: string) => {
  const body = seedOrderBody()
  const [feature] = body.Features as Record<string, unknown>[]
  return { ...body, Features: [without(feature!, field)] }
}

const thenErrors = (body: unknown, ...expected: FieldError[]) => expect(decoded(body)).toEqual(E.left(expected))
const thenError = (body: unknown, field: string, message: string) => thenErrors(body, { field, message })

describe('license order terms (seed 001)', () => {
  it("given seed 001's example body, when decoded, then the normalised terms", () => {
    expect(decoded(seedOrderBody())).toEqual(E.right(seedTerms))
  })

  it('given integers sent as numeric strings (as the seed documents some), when decoded, then they are numbers', () => {
    const body = givenFeature(
      { days_from_activation: '90', count: '15' },
      { hostid_match_rate: '100', min_hostids: '1', activations_allowed: '10', deactivations_allowed: '10', customer_id: '1' },
    )
    expect(decoded(body)).toEqual(E.right(seedTerms))
  })

  it('given fields the seed does not know, when decoded, then they are dropped', () => {
    const body = { ...seedOrderBody(), surprise: 'x' }
    expect(decoded(body)).toEqual(E.right(seedTerms))
  })

  it('given no JSON object, when decoded, then the body itself is named', () => {
    expect(E.isLeft(decoded('text'))).toBe(true)
    expect(E.isLeft(decoded(null))).toBe(true)
  })

  describe('required fields', () => {
    it.each([
      'customer_id',
      'product_template_id',
      'license_type',
      'licensee_type',
      'hostid_match_rate',
      'min_hostids',
      'activations_allowed',
      'enabled',
      'removal',
      'Hostids',
      'Features',
    ])('given a body without %s, when decoded, then %s is required', (field) => {
      thenError(without(seedOrderBody(), field), field, 'is required')
    })

    it.each(['name', 'version', 'expiration_type', 'issued_type', 'maintenance_type'])(
      'given a feature without %s, when decoded, then Features[0].%s is required',
      (field) => {
        thenError(featureWithout(field), `Features[0].${field}`, 'is required')
      },
    )

    it.each(['name', 'min_amount', 'max_amount'])('given a HostID without %s, when decoded, then it is required', (field) => {
      thenError(givenBody({ Hostids: [without({ name: 'hostname', min_amount: 1, max_amount: 1 }, field)] }), `Hostids[0].${field}`, 'is required')
    })

    it('given several problems, when decoded, then each failing field is named', () => {
      thenErrors(
        without(givenBody({ license_type: 'floating', activations_allowed: -1 }), 'enabled'),
        { field: 'license_type', message: 'must be one of: local, network' },
        { field: 'activations_allowed', message: 'must be at least 0' },
        { field: 'enabled', message: 'is required' },
      )
    })
  })

  describe('choices', () => {
    it('license_type is local or network', () => {
      thenError(givenBody({ license_type: 'floating' }), 'license_type', 'must be one of: local, network')
    })
    it('licensee_type is fixed, customer or not_specified', () => {
      thenError(givenBody({ licensee_type: 'anyone' }), 'licensee_type', 'must be one of: fixed, customer, not_specified')
    })
    it('expiration_type is fixed, days_from_activation or no_expiration', () => {
      thenError(givenFeature({ expiration_type: 'never' }), 'Features[0].expiration_type', 'must be one of: fixed, days_from_activation, no_expiration')
    })
    it('issued_type is fixed, not_issued or activation_time', () => {
      thenError(givenFeature({ issued_type: 'now' }), 'Features[0].issued_type', 'must be one of: fixed, not_issued, activation_time')
    })
    it('maintenance_type is fixed, days_from_activation or no_maintenance', () => {
      thenError(givenFeature({ maintenance_type: 'none' }), 'Features[0].maintenance_type', 'must be one of: fixed, days_from_activation, no_maintenance')
    })
    it('booleans are JSON booleans, not strings', () => {
      thenError(givenBody({ enabled: 'true' }), 'enabled', 'must be true or false')
    })
  })

  describe('conditional requirements', () => {
    it('given licensee_type fixed without a licensee, then licensee is required', () => {
      thenError(givenBody({ licensee_type: 'fixed' }), 'licensee', 'is required when licensee_type is fixed')
      thenError(givenBody({ licensee_type: 'fixed', licensee: '  ' }), 'licensee', 'is required when licensee_type is fixed')
    })
    it('given licensee_type fixed with a licensee, then it is kept', () => {
      const result = decoded(givenBody({ licensee_type: 'fixed', licensee: 'Rivers Inc' }))
      expect(E.isRight(result) && result.right.licensee).toBe('Rivers Inc')
    })
    it('given expiration_type fixed without expiration_date, then expiration_date is required', () => {
      thenError(givenFeature({ expiration_type: 'fixed' }), 'Features[0].expiration_date', 'is required when expiration_type is fixed')
    })
    it('given expiration_type days_from_activation without days, then days_from_activation is required', () => {
      thenError(
        givenFeature({ days_from_activation: null }),
        'Features[0].days_from_activation',
        'is required when expiration_type is days_from_activation',
      )
    })
    it('given issued_type fixed without issued_date, then issued_date is required', () => {
      thenError(givenFeature({ issued_type: 'fixed' }), 'Features[0].issued_date', 'is required when issued_type is fixed')
    })
    it('given a network license and a feature without count, then count is required', () => {
      thenError(givenFeature({ count: undefined }), 'Features[0].count', 'is required when license_type is network')
    })
    it('given a local license and a feature without count, then it decodes', () => {
      const result = decoded(givenFeature({ count: undefined }, { license_type: 'local' }))
      expect(E.isRight(result) && result.right.Features[0]!.count).toBe(null)
    })
    it('given maintenance_type fixed without maintenance_date, then maintenance_date is required', () => {
      thenError(givenFeature({ maintenance_date: undefined }), 'Features[0].maintenance_date', 'is required when maintenance_type is fixed')
    })
    it('given maintenance_type days_from_activation without days, then maintenance_days_from_activation is required', () => {
      thenError(
        givenFeature({ maintenance_type: 'days_from_activation' }),
        'Features[0].maintenance_days_from_activation',
        'is required when maintenance_type is days_from_activation',
      )
    })
    it('given values that do not apply to the chosen types, then they are not stored', () => {
      const result = decoded(
        givenFeature({
          expiration_type: 'no_expiration',
          expiration_date: '2030-01-01',
          issued_type: 'not_issued',
          issued_date: '2020-01-01',
          maintenance_type: 'no_maintenance',
        }),
      )
      expect(E.isRight(result) && result.right.Features[0]).toMatchObject({
        expiration_date: null,
        days_from_activation: null,
        issued_date: null,
        maintenance_date: null,
        maintenance_days_from_activation: null,
      })
    })
    it('given a feature without enabled, then it is enabled', () => {
      const result = decoded(givenFeature({ enabled: undefined }))
      expect(E.isRight(result) && result.right.Features[0]!.enabled).toBe(true)
    })
  })

  describe('bounds', () => {
    it.each([
      ['activations_allowed', -1, 'must be at least 0'],
      ['min_hostids', -1, 'must be at least 0'],
      ['deactivations_allowed', -5, 'must be at least 0'],
      ['hostid_match_rate', 101, 'must be at most 100'],
      ['hostid_match_rate', -1, 'must be at least 0'],
      ['activations_allowed', 1.5, 'must be an integer'],
      ['activations_allowed', 'ten', 'must be an integer'],
      ['customer_id', 0, 'must be at least 1'],
    ])('given %s = %j, then %s', (field, value, message) => {
      thenError(givenBody({ [field]: value }), field, message)
    })
    it('a count is never negative', () => {
      thenError(givenFeature({ count: -1 }), 'Features[0].count', 'must be at least 0')
    })
    it('days from activation are at least one', () => {
      thenError(givenFeature({ days_from_activation: 0 }), 'Features[0].days_from_activation', 'must be at least 1')
    })
    it('min_amount never exceeds max_amount', () => {
      thenError(givenBody({ Hostids: [{ name: 'hostname', min_amount: 3, max_amount: 2 }], min_hostids: 1 }), 'Hostids[0].min_amount', 'must not exceed max_amount')
    })
    it('min_hostids never exceeds the HostIDs the Hostids allow', () => {
      thenError(givenBody({ min_hostids: 2 }), 'min_hostids', 'must not exceed the HostIDs allowed by Hostids (1)')
    })
    it('a HostID name is listed once', () => {
      thenError(
        givenBody({ Hostids: [{ name: 'hostname', min_amount: 1, max_amount: 1 }, { name: 'Hostname', min_amount: 0, max_amount: 1 }] }),
        'Hostids[1].name',
        'is listed more than once',
      )
    })
    it('a feature and version are listed once', () => {
      const body = seedOrderBody()
      const [feature] = body.Features as unknown[]
      thenError({ ...body, Features: [feature, feature] }, 'Features[1].name', 'this feature and version are listed more than once')
    })
    it('dates are real calendar dates in YYYY-MM-DD', () => {
      thenError(givenFeature({ maintenance_date: '2021-02-30' }), 'Features[0].maintenance_date', 'is not a valid calendar date')
      thenError(givenFeature({ maintenance_date: '31/12/2020' }), 'Features[0].maintenance_date', 'must be a date (YYYY-MM-DD)')
    })
    it('a fixed expiration is not before a fixed issue date', () => {
      thenError(
        givenFeature({ expiration_type: 'fixed', expiration_date: '2020-01-01', issued_type: 'fixed', issued_date: '2020-06-01' }),
        'Features[0].expiration_date',
        'must not be before issued_date',
      )
    })
    it('names are not empty', () => {
      thenError(givenFeature({ name: '' }), 'Features[0].name', 'must not be empty')
    })
  })
})
