// The read models the HTTP API answers from, kept by one runner and one
// checkpoint in a SQLite file beside the log.
import type Database from 'better-sqlite3'
import type { Logger } from 'pino'
import type { EventStore, Position } from '../store/port.js'
import { activationReader, activationsProjection } from './activations.js'
import { apiKeyReader, apiKeysProjection } from './api-keys.js'
import { auditProjection } from './audit.js'
import { auditReader } from './audit-reader.js'
import { customerReader, customersProjection, productTemplateReader, productTemplatesProjection } from './customers.js'
import { licenseOrderReader, licenseOrdersProjection } from './license-orders.js'
import { productReader } from './products.js'
import type { Projection } from './projection.js'
import { ensureBuiltBy } from './read-model-set.js'
import { openReadStore } from './read-store.js'
import { seatLeaseReader, seatLeasesProjection } from './seat-leases.js'
import { createProjectionRunner } from './runner.js'

export const READ_MODELS = 'read-models'

export const readModelProjections: readonly Projection[] = [
  customersProjection,
  productTemplatesProjection,
  licenseOrdersProjection,
  apiKeysProjection,
  seatLeasesProjection,
  activationsProjection,
  auditProjection,
]

export const readersOf = (db: Database.Database) => ({
  customers: customerReader(db),
  productTemplates: productTemplateReader(db),
  licenseOrders: licenseOrderReader(db),
  apiKeys: apiKeyReader(db),
  seatLeases: seatLeaseReader(db),
  products: productReader(db),
  activations: activationReader(db),
  audit: auditReader(db),
})

export interface ReadModelsOptions {
  readonly store: EventStore
  readonly path: string
  readonly logger: Logger
  /** The furthest position this process wrote: reads wait for it (read-your-writes). */
  readonly lastAppended: () => Position | null
}

export const createReadModels = ({ store, path, logger, lastAppended }: ReadModelsOptions) => {
  const db = openReadStore(path)
  const rebuilt = ensureBuiltBy(db, READ_MODELS, readModelProjections)
  if (rebuilt !== null) logger.warn({ builtBy: rebuilt }, 'the read models were built by other projections: rebuilding them from the log')
  const runner = createProjectionRunner({ name: READ_MODELS, store, db, projections: readModelProjections, logger })
  return {
    ...readersOf(db),
    runner,
    /** Waits until the read models hold every write this process made (bounded; a lagging runner does not block reads forever). */
    fresh: async (): Promise<boolean> => runner.waitFor(lastAppended()),
    close: async (): Promise<void> => {
      await runner.stop()
      db.close()
    },
  }
}
export type ReadModels = ReturnType<typeof createReadModels>
