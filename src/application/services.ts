// The application's services over one event store: what the HTTP layer and
// the command-line tools call.
import type { EventStore } from '../store/port.js'
import { createCommandHandler } from './command-handler.js'
import { createCredentials } from './credentials.js'
import { createCustomers, createProductTemplates } from './customers.js'
import { createOrders } from './orders.js'
import { createPointInTime } from './point-in-time.js'

export interface ServicesOptions {
  readonly store: EventStore
  readonly clock: () => Date
  readonly adminToken: string | null
}

export const createServices = ({ store, clock, adminToken }: ServicesOptions) => {
  const handler = createCommandHandler({ store, clock })
  const customers = createCustomers(handler)
  const productTemplates = createProductTemplates(handler)
  const orders = createOrders({ handler, customers, productTemplates, clock })
  const credentials = createCredentials({ handler, clock, adminToken })
  const pointInTime = createPointInTime(store)
  return { handler, customers, productTemplates, orders, credentials, clock, pointInTime }
}
export type Services = ReturnType<typeof createServices>
