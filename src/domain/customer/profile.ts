// A customer as seed 001's license order shows it: name, address and phone
// fields, Contacts and CustomTags. `CustomerProfile` is the stored form;
// `CustomerProfileInput` decodes a request body into it.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { BoundedString, Email, NonEmptyString, Text, nullable } from '../codecs.js'
import { shaped } from '../shaped.js'
import { failureAt } from '../validation.js'

const Field = BoundedString(0, 255, 'a string of at most 255 characters')

export const Contact = t.type({ name: NonEmptyString, email: Email })
export const CustomTag = t.type({ tag_name: NonEmptyString, value: BoundedString(0, 1024, 'a string of at most 1024 characters') })

export const CustomerProfile = t.type({
  name: NonEmptyString,
  description: nullable(Text),
  phone_number: nullable(Field),
  fax_number: nullable(Field),
  street: nullable(Field),
  city: nullable(Field),
  country: nullable(Field),
  zip_code: nullable(Field),
  state: nullable(Field),
  Contacts: t.readonlyArray(Contact),
  CustomTags: t.readonlyArray(CustomTag),
})
export type CustomerProfile = t.TypeOf<typeof CustomerProfile>

export const ProfileShape = t.intersection([
  t.type({ name: NonEmptyString }),
  t.partial({
    description: nullable(Text),
    phone_number: nullable(Field),
    fax_number: nullable(Field),
    street: nullable(Field),
    city: nullable(Field),
    country: nullable(Field),
    zip_code: nullable(Field),
    state: nullable(Field),
    Contacts: t.readonlyArray(Contact),
    CustomTags: t.readonlyArray(CustomTag),
  }),
])

export const CustomerProfileInput = shaped(
  new t.Type<CustomerProfile, CustomerProfile, unknown>(
    'CustomerProfileInput',
    CustomerProfile.is,
    (u, c) =>
      pipe(
        ProfileShape.validate(u, c),
        E.chain((p) => {
          const tags = (p.CustomTags ?? []).map((tag) => tag.tag_name)
          const repeated = tags.findIndex((name, i) => tags.indexOf(name) !== i)
          if (repeated >= 0) return E.left(failureAt(u, c, ['CustomTags', repeated, 'tag_name'], 'is listed more than once'))
          return t.success({
            name: p.name,
            description: p.description ?? null,
            phone_number: p.phone_number ?? null,
            fax_number: p.fax_number ?? null,
            street: p.street ?? null,
            city: p.city ?? null,
            country: p.country ?? null,
            zip_code: p.zip_code ?? null,
            state: p.state ?? null,
            Contacts: (p.Contacts ?? []).map(({ name, email }) => ({ name, email })),
            CustomTags: (p.CustomTags ?? []).map(({ tag_name, value }) => ({ tag_name, value })),
          })
        }),
      ),
    t.identity,
  ),
  ProfileShape,
)
