// The world as it was when an event happened. The webhook runner keeps its
// own copy of the read models a webhook's data is built from, in its own
// database, folded by the same projections as the API's read models. The
// runner applies them before the outbox, so while the outbox handles an
// event they hold exactly what the log said up to and including that event:
// the order as that event left it, its customer and template as they were then.
import type Database from 'better-sqlite3'
import { customerReader, customersProjection, productTemplateReader, productTemplatesProjection } from '../projections/customers.js'
import { licenseOrderReader, licenseOrdersProjection } from '../projections/license-orders.js'
import type { Projection } from '../projections/projection.js'
import { priorOrderReader, priorOrdersProjection } from './prior-orders.js'

/** Add a projection here (and its reader below) when a webhook's data needs a read model not listed yet. */
// priorOrdersProjection must come before licenseOrdersProjection: it keeps the order as the previous event left it.
export const worldProjections: readonly Projection[] = [customersProjection, productTemplatesProjection, priorOrdersProjection, licenseOrdersProjection]

export const worldOf = (db: Database.Database) => ({
  orders: licenseOrderReader(db),
  /** The order just before the event being handled, for what that event ended. */
  priorOrders: priorOrderReader(db),
  customers: customerReader(db),
  productTemplates: productTemplateReader(db),
})
export type World = ReturnType<typeof worldOf>
