// Ready-made customers, templates and orders, created through the real API.
import { expect } from 'vitest'
import { seedOrderBody } from '../domain/fixtures.js'
import type { Client } from './server.js'

export const seedCustomer = {
  name: 'Rivers Inc',
  description: 'desc',
  phone_number: '779.790.4969x1425',
  fax_number: '(536)600-8229',
  street: '008 Santiago Groves Suite 651',
  city: 'Shortport',
  country: 'USA',
  zip_code: '62448',
  state: 'South Carolina',
  Contacts: [
    { name: 'James Taylor', email: 'nfisher@test.x-formation.com' },
    { name: 'Victor Martinez', email: 'ngallagher@test.x-formation.com' },
  ],
  CustomTags: [
    { tag_name: 'custom_tag_1', value: 'Gouldton' },
    { tag_name: 'custom_tag_2', value: 'Idaho' },
  ],
}

/** Seed 001's example request body, for the given customer and template. */
export const seedOrder = (customerId = 1, templateId = 1): Record<string, unknown> => ({
  ...seedOrderBody(),
  customer_id: customerId,
  product_template_id: templateId,
})

export const createCustomer = async (api: Client, body: Record<string, unknown> = seedCustomer): Promise<number> => {
  const res = await api.post('/customers', body)
  expect(res.status, res.text).toBe(201)
  return res.body.id as number
}

export const createTemplate = async (api: Client, productId: string | number = '1', name = 'Trial'): Promise<number> => {
  const res = await api.post('/product-templates', { name, product_id: productId })
  expect(res.status, res.text).toBe(201)
  return res.body.id as number
}

export const createOrder = async (api: Client, body: Record<string, unknown>): Promise<string> => {
  const res = await api.post('/license-orders', body)
  expect(res.status, res.text).toBe(201)
  return res.body.activation_key as string
}

/** A customer, a template for product `productId` and an order with `key`; returns the key. */
export const setUpLicense = async (api: Client, key: string, productId = '1'): Promise<{ customerId: number; templateId: number; key: string }> => {
  const customerId = await createCustomer(api)
  const templateId = await createTemplate(api, productId)
  await createOrder(api, { ...seedOrder(customerId, templateId), activation_key: key })
  return { customerId, templateId, key }
}

export const issueKey = async (api: Client, scope: unknown, extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> => {
  const res = await api.post('/api-keys', { name: 'test key', scope, ...extra })
  expect(res.status, res.text).toBe(201)
  return { id: res.body.id as string, token: res.body.token as string }
}
