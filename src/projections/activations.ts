// Which license order each activation belongs to: how seed 003's
// /v3/activations/{id} finds the order whose stream decides about it. Only
// an index: whether the activation is still there is the order's to say.
import type Database from 'better-sqlite3'
import { eachEvent, type Projection } from './projection.js'

const tableExists = (db: Database.Database, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined

export const activationsProjection: Projection = {
  name: 'activations',
  open: (db) => {
    const isNew = !tableExists(db, 'activation_orders')
    db.exec('CREATE TABLE IF NOT EXISTS activation_orders (activation_id TEXT PRIMARY KEY, order_id TEXT NOT NULL)')
    // A read store written before this index existed: its orders' current activations are indexed from their state.
    if (isNew && tableExists(db, 'license_orders')) {
      db.exec(`INSERT OR IGNORE INTO activation_orders (activation_id, order_id)
               SELECT a.key, o.order_id FROM license_orders o, json_each(o.state, '$.usage.activations') a`)
    }
    const put = db.prepare('INSERT OR IGNORE INTO activation_orders (activation_id, order_id) VALUES (?, ?)')
    return eachEvent(({ event }) => {
      if (event.type === 'MachineActivated') put.run(event.data.activationId, event.data.orderId)
    })
  },
}

export const activationReader = (db: Database.Database) => {
  const byId = db.prepare('SELECT order_id FROM activation_orders WHERE activation_id = ?')
  return {
    /** The order an activation was made on; null when no activation ever had this id. */
    orderOf: (activationId: string): string | null => (byId.get(activationId) as { order_id: string } | undefined)?.order_id ?? null,
  }
}
