// A license order as seed 001's example response shows it: integers as
// strings where the example has strings, counters as numbers, the customer
// with Contacts and CustomTags, the product template by id, name and product.
// Seed 001's API and the license-order webhooks both render it.
import type { ExistingCustomer } from '../domain/customer/index.js'
import { orderCounters, type ExistingOrder } from '../domain/order/index.js'
import type { ExistingProductTemplate } from '../domain/product-template/index.js'

const text = (n: number | null): string | null => (n === null ? null : String(n))

/** "2019-08-20 09:40:35", in UTC, as the seed shows creation_time. */
export const creationTime = (iso: string): string => iso.slice(0, 19).replace('T', ' ')

export const customerView = (customer: ExistingCustomer | null) => {
  if (customer === null) return null
  const p = customer.profile
  return {
    name: p.name,
    description: p.description,
    phone_number: p.phone_number,
    fax_number: p.fax_number,
    street: p.street,
    city: p.city,
    country: p.country,
    zip_code: p.zip_code,
    state: p.state,
    Contacts: p.Contacts.map(({ name, email }) => ({ name, email })),
    CustomTags: p.CustomTags.map(({ tag_name, value }) => ({ tag_name, value })),
  }
}

export const productTemplateView = (template: ExistingProductTemplate | null) =>
  template === null ? null : { id: String(template.templateId), name: template.name, product_id: template.productId }

export const licenseOrderView = (order: ExistingOrder, customer: ExistingCustomer | null, template: ExistingProductTemplate | null) => {
  const t = order.terms
  const counters = orderCounters(order)
  return {
    customer: customerView(customer),
    product_template: productTemplateView(template),
    activation_key: order.activationKey,
    creation_time: creationTime(order.createdAt),
    license_type: t.license_type,
    licensee_type: t.licensee_type,
    licensee: t.licensee,
    hostid_match_rate: text(t.hostid_match_rate),
    min_hostids: text(t.min_hostids),
    activations_allowed: text(t.activations_allowed),
    activated_licenses_count: counters.activatedLicenses,
    enabled: t.enabled,
    description: t.description,
    settings_description: t.settings_description,
    removal: t.removal,
    removal_request_time: null,
    removal_confirmation_time: null,
    deactivations_allowed: text(t.deactivations_allowed),
    deactivations_left: counters.deactivationsLeft,
    Hostids: t.Hostids.map((h) => ({ name: h.name, min_amount: text(h.min_amount), max_amount: text(h.max_amount) })),
    Features: t.Features.map((f) => ({
      name: f.name,
      version: f.version,
      expiration_type: f.expiration_type,
      expiration_date: f.expiration_date,
      issued_type: f.issued_type,
      issued_date: f.issued_date,
      options: f.options,
      additional_settings: f.additional_settings,
      enabled: f.enabled,
      days_from_activation: text(f.days_from_activation),
      count: text(f.count),
      maintenance_type: f.maintenance_type,
      maintenance_date: f.maintenance_date,
      maintenance_days_from_activation: text(f.maintenance_days_from_activation),
      comment: f.comment,
    })),
  }
}
export type LicenseOrderView = ReturnType<typeof licenseOrderView>
