// Bodies and facts shared by the domain tests; the order body is seed 001's example.
import type { CustomerProfile } from '../../src/domain/customer/index.js'
import type { OrderTerms } from '../../src/domain/order/terms.js'

export const NOW = new Date('2026-11-22T10:00:00.000Z')
export const LATER = new Date('2026-11-22T11:30:00.000Z')

export const seedOrderBody = (): Record<string, unknown> => ({
  customer_id: 1,
  product_template_id: 1,
  license_type: 'network',
  licensee_type: 'customer',
  hostid_match_rate: 100,
  min_hostids: 1,
  activations_allowed: 10,
  enabled: true,
  description: 'License order description',
  settings_description: 'Settings description',
  removal: false,
  deactivations_allowed: 10,
  Hostids: [{ name: 'hostname', min_amount: 1, max_amount: 1 }],
  Features: [
    {
      name: 'Licstat',
      version: '6.0',
      expiration_type: 'days_from_activation',
      days_from_activation: 90,
      issued_type: 'activation_time',
      options: 'Feature options',
      additional_settings: 'Additional settings',
      count: 15,
      maintenance_type: 'fixed',
      maintenance_date: '2020-12-31',
      enabled: true,
      comment: 'Feature comment',
    },
  ],
})

export const seedTerms: OrderTerms = {
  customer_id: 1,
  product_template_id: 1,
  license_type: 'network',
  licensee_type: 'customer',
  licensee: null,
  hostid_match_rate: 100,
  min_hostids: 1,
  activations_allowed: 10,
  enabled: true,
  description: 'License order description',
  settings_description: 'Settings description',
  removal: false,
  deactivations_allowed: 10,
  Hostids: [{ name: 'hostname', min_amount: 1, max_amount: 1 }],
  Features: [
    {
      name: 'Licstat',
      version: '6.0',
      expiration_type: 'days_from_activation',
      expiration_date: null,
      days_from_activation: 90,
      issued_type: 'activation_time',
      issued_date: null,
      options: 'Feature options',
      additional_settings: 'Additional settings',
      enabled: true,
      count: 15,
      maintenance_type: 'fixed',
      maintenance_date: '2020-12-31',
      maintenance_days_from_activation: null,
      comment: 'Feature comment',
    },
  ],
}

/** A customer profile with a name and nothing else. */
export const profileNamed = (name: string): CustomerProfile => ({
  name,
  description: null,
  phone_number: null,
  fax_number: null,
  street: null,
  city: null,
  country: null,
  zip_code: null,
  state: null,
  Contacts: [],
  CustomTags: [],
})
