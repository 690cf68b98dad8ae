// Read models of customers and product templates, each row the aggregate's
// own fold of its events.
import type Database from 'better-sqlite3'
import type { ExistingCustomer, ExistingProductTemplate } from '../application/customers.js'
import { customerDecider, customerSchemas, type CustomerState } from '../domain/customer/index.js'
import { productTemplateDecider, type ProductTemplateState } from '../domain/product-template/index.js'
import { eachEvent, eventsOf, jsonRows, type Projection } from './projection.js'

const isCustomerEvent = eventsOf(customerSchemas)

export const customersProjection: Projection = {
  name: 'customers',
  open: (db) => {
    db.exec('CREATE TABLE IF NOT EXISTS customers (customer_id INTEGER PRIMARY KEY, state TEXT NOT NULL)')
    const get = jsonRows<CustomerState>(db, 'customers', 'customer_id')
    const put = db.prepare('INSERT OR REPLACE INTO customers (customer_id, state) VALUES (?, ?)')
    return eachEvent(({ event }) => {
      if (!isCustomerEvent(event)) return
      const id = event.data.customerId
      put.run(id, JSON.stringify(customerDecider.evolve(get(id) ?? customerDecider.initialState, event)))
    })
  },
}

export const productTemplatesProjection: Projection = {
  name: 'product-templates',
  open: (db) => {
    db.exec(
      'CREATE TABLE IF NOT EXISTS product_templates (template_id INTEGER PRIMARY KEY, product_id TEXT NOT NULL, state TEXT NOT NULL)',
    )
    const put = db.prepare('INSERT OR REPLACE INTO product_templates (template_id, product_id, state) VALUES (?, ?, ?)')
    return eachEvent(({ event }) => {
      if (event.type !== 'ProductTemplateCreated') return
      const state = productTemplateDecider.evolve(productTemplateDecider.initialState, event)
      put.run(event.data.templateId, event.data.productId, JSON.stringify(state))
    })
  },
}

const existing = <S extends { exists: boolean }>(state: S | null): Extract<S, { exists: true }> | null =>
  state !== null && state.exists ? (state as Extract<S, { exists: true }>) : null

export const customerReader = (db: Database.Database) => {
  const get = jsonRows<CustomerState>(db, 'customers', 'customer_id')
  const page = db.prepare('SELECT state FROM customers ORDER BY customer_id LIMIT ? OFFSET ?')
  return {
    get: (id: number): ExistingCustomer | null => existing(get(id)),
    list: (limit: number, offset: number): ExistingCustomer[] =>
      (page.all(limit, offset) as { state: string }[]).map((r) => JSON.parse(r.state) as ExistingCustomer),
  }
}

export const productTemplateReader = (db: Database.Database) => {
  const get = jsonRows<ProductTemplateState>(db, 'product_templates', 'template_id')
  const page = db.prepare('SELECT state FROM product_templates ORDER BY template_id LIMIT ? OFFSET ?')
  return {
    get: (id: number): ExistingProductTemplate | null => existing(get(id)),
    list: (limit: number, offset: number): ExistingProductTemplate[] =>
      (page.all(limit, offset) as { state: string }[]).map((r) => JSON.parse(r.state) as ExistingProductTemplate),
  }
}
