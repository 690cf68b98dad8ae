// The terms of a license order, as seed 001 (X-Formation LAC, "update a license
// order") defines them: license and licensee type, Hostids, Features with
// their expiration, issue and maintenance rules. `OrderTerms` is the stored,
// normalised form; `OrderTermsInput` decodes a request body into it and
// enforces every rule of the seed, naming each failing field.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { Bool, BoundedString, CalendarDate, IntFromInput, NonEmptyString, NonNegativeInt, PositiveInt, Text, nullable, oneOf } from '../codecs.js'
import { shaped } from '../shaped.js'
import { failureAt } from '../validation.js'

export const LicenseType = oneOf('local', 'network')
export const LicenseeType = oneOf('fixed', 'customer', 'not_specified')
export const ExpirationType = oneOf('fixed', 'days_from_activation', 'no_expiration')
export const IssuedType = oneOf('fixed', 'not_issued', 'activation_time')
export const MaintenanceType = oneOf('fixed', 'days_from_activation', 'no_maintenance')

const Version = BoundedString(1, 64, 'a version string')
const Percentage = IntFromInput(0, 100)

// ---- the stored form ------------------------------------------------------

export const HostId = t.type({
  name: NonEmptyString,
  min_amount: NonNegativeInt,
  max_amount: NonNegativeInt,
})
export type HostId = t.TypeOf<typeof HostId>

export const Feature = t.type({
  name: NonEmptyString,
  version: Version,
  expiration_type: ExpirationType,
  expiration_date: nullable(CalendarDate),
  days_from_activation: nullable(PositiveInt),
  issued_type: IssuedType,
  issued_date: nullable(CalendarDate),
  options: nullable(Text),
  additional_settings: nullable(Text),
  enabled: Bool,
  count: nullable(NonNegativeInt),
  maintenance_type: MaintenanceType,
  maintenance_date: nullable(CalendarDate),
  maintenance_days_from_activation: nullable(PositiveInt),
  comment: nullable(Text),
})
export type Feature = t.TypeOf<typeof Feature>

export const OrderTerms = t.type({
  customer_id: PositiveInt,
  product_template_id: PositiveInt,
  license_type: LicenseType,
  licensee_type: LicenseeType,
  licensee: nullable(NonEmptyString),
  hostid_match_rate: Percentage,
  min_hostids: NonNegativeInt,
  activations_allowed: NonNegativeInt,
  enabled: Bool,
  description: nullable(Text),
  settings_description: nullable(Text),
  removal: Bool,
  /** null: no limit on deactivations. */
  deactivations_allowed: nullable(NonNegativeInt),
  Hostids: t.readonlyArray(HostId),
  Features: t.readonlyArray(Feature),
})
export type OrderTerms = t.TypeOf<typeof OrderTerms>

// ---- the request form -----------------------------------------------------

const FeatureShape = t.intersection([
  t.type({
    name: NonEmptyString,
    version: Version,
    expiration_type: ExpirationType,
    issued_type: IssuedType,
    maintenance_type: MaintenanceType,
  }),
  t.partial({
    expiration_date: nullable(CalendarDate),
    days_from_activation: nullable(PositiveInt),
    issued_date: nullable(CalendarDate),
    options: nullable(Text),
    additional_settings: nullable(Text),
    enabled: Bool,
    count: nullable(NonNegativeInt),
    maintenance_date: nullable(CalendarDate),
    maintenance_days_from_activation: nullable(PositiveInt),
    comment: nullable(Text),
  }),
])

export const TermsShape = t.intersection([
  t.type({
    customer_id: PositiveInt,
    product_template_id: PositiveInt,
    license_type: LicenseType,
    licensee_type: LicenseeType,
    hostid_match_rate: Percentage,
    min_hostids: NonNegativeInt,
    activations_allowed: NonNegativeInt,
    enabled: Bool,
    removal: Bool,
    Hostids: t.readonlyArray(HostId),
    Features: t.readonlyArray(FeatureShape),
  }),
  t.partial({
    licensee: nullable(t.string),
    description: nullable(Text),
    settings_description: nullable(Text),
    deactivations_allowed: nullable(NonNegativeInt),
  }),
])
type TermsShape = t.TypeOf<typeof TermsShape>

/** A value that applies only under a condition; otherwise it is dropped rather than stored misleadingly. */
const when = <A>(applies: boolean, value: A | null | undefined): A | null => (applies ? (value ?? null) : null)

const normalise = (input: TermsShape): OrderTerms => ({
  customer_id: input.customer_id,
  product_template_id: input.product_template_id,
  license_type: input.license_type,
  licensee_type: input.licensee_type,
  licensee: input.licensee_type === 'fixed' ? (input.licensee?.trim() || null) : null,
  hostid_match_rate: input.hostid_match_rate,
  min_hostids: input.min_hostids,
  activations_allowed: input.activations_allowed,
  enabled: input.enabled,
  description: input.description ?? null,
  settings_description: input.settings_description ?? null,
  removal: input.removal,
  deactivations_allowed: input.deactivations_allowed ?? null,
  Hostids: input.Hostids.map(({ name, min_amount, max_amount }) => ({ name, min_amount, max_amount })),
  Features: input.Features.map((f) => ({
    name: f.name,
    version: f.version,
    expiration_type: f.expiration_type,
    expiration_date: when(f.expiration_type === 'fixed', f.expiration_date),
    days_from_activation: when(f.expiration_type === 'days_from_activation', f.days_from_activation),
    issued_type: f.issued_type,
    issued_date: when(f.issued_type === 'fixed', f.issued_date),
    options: f.options ?? null,
    additional_settings: f.additional_settings ?? null,
    enabled: f.enabled ?? true,
    count: f.count ?? null,
    maintenance_type: f.maintenance_type,
    maintenance_date: when(f.maintenance_type === 'fixed', f.maintenance_date),
    maintenance_days_from_activation: when(f.maintenance_type === 'days_from_activation', f.maintenance_days_from_activation),
    comment: f.comment ?? null,
  })),
})

type Violation = { readonly path: ReadonlyArray<string | number>; readonly message: string }

const missing = (value: unknown): boolean => value === undefined || value === null

/** The rules that tie fields together; each names the field a client must fix. */
export const violations = (input: TermsShape): readonly Violation[] => {
  const found: Violation[] = []
  const add = (path: ReadonlyArray<string | number>, message: string): void => {
    found.push({ path, message })
  }

  if (input.licensee_type === 'fixed' && (input.licensee ?? '').trim() === '') {
    add(['licensee'], 'is required when licensee_type is fixed')
  }
  if (typeof input.licensee === 'string' && input.licensee.length > 255) add(['licensee'], 'must have at most 255 characters')

  input.Hostids.forEach((hostid, i) => {
    if (hostid.min_amount > hostid.max_amount) add(['Hostids', i, 'min_amount'], 'must not exceed max_amount')
  })
  const hostidNames = input.Hostids.map((h) => h.name.toLowerCase())
  hostidNames.forEach((name, i) => {
    if (hostidNames.indexOf(name) !== i) add(['Hostids', i, 'name'], 'is listed more than once')
  })
  const maxHostids = input.Hostids.reduce((sum, h) => sum + h.max_amount, 0)
  if (input.min_hostids > maxHostids) {
    add(['min_hostids'], `must not exceed the HostIDs allowed by Hostids (${maxHostids})`)
  }

  const featureKeys = input.Features.map((f) => `${f.name.toLowerCase()}\u0000${f.version}`)
  input.Features.forEach((f, i) => {
    const at = (field: string): ReadonlyArray<string | number> => ['Features', i, field]
    if (featureKeys.indexOf(featureKeys[i]!) !== i) add(at('name'), 'this feature and version are listed more than once')
    if (f.expiration_type === 'fixed' && missing(f.expiration_date)) add(at('expiration_date'), 'is required when expiration_type is fixed')
    if (f.expiration_type === 'days_from_activation' && missing(f.days_from_activation)) {
      add(at('days_from_activation'), 'is required when expiration_type is days_from_activation')
    }
    if (f.issued_type === 'fixed' && missing(f.issued_date)) add(at('issued_date'), 'is required when issued_type is fixed')
    if (input.license_type === 'network' && missing(f.count)) add(at('count'), 'is required when license_type is network')
    if (f.maintenance_type === 'fixed' && missing(f.maintenance_date)) add(at('maintenance_date'), 'is required when maintenance_type is fixed')
    if (f.maintenance_type === 'days_from_activation' && missing(f.maintenance_days_from_activation)) {
      add(at('maintenance_days_from_activation'), 'is required when maintenance_type is days_from_activation')
    }
    if (
      f.issued_type === 'fixed' &&
      f.expiration_type === 'fixed' &&
      typeof f.issued_date === 'string' &&
      typeof f.expiration_date === 'string' &&
      f.expiration_date < f.issued_date
    ) {
      add(at('expiration_date'), 'must not be before issued_date')
    }
  })
  return found
}

/** Decodes a request body (seed 001) into normalised terms, or fails with every problem found. */
export const OrderTermsInput = shaped(
  new t.Type<OrderTerms, OrderTerms, unknown>(
    'OrderTermsInput',
    OrderTerms.is,
    (u, c) =>
      pipe(
        TermsShape.validate(u, c),
        E.chain((shape) => {
          const found = violations(shape)
          return found.length === 0
            ? t.success(normalise(shape))
            : E.left(found.flatMap((v) => failureAt(u, c, v.path, v.message)))
        }),
      ),
    t.identity,
  ),
  TermsShape,
)
