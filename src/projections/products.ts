// Which products exist: a product is the product_id its product templates
// name. Read from the product templates' read model, so it needs no table of
// its own.
import type Database from 'better-sqlite3'

export const productReader = (db: Database.Database) => {
  const templates = db.prepare('SELECT template_id FROM product_templates WHERE product_id = ? ORDER BY template_id')
  const templateIdsOf = (productId: string): number[] => (templates.all(productId) as { template_id: number }[]).map((r) => r.template_id)
  return {
    templateIdsOf,
    exists: (productId: string): boolean => templateIdsOf(productId).length > 0,
  }
}
