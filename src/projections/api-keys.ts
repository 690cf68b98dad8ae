// The API keys an admin can list: never a secret, not even its hash.
import type Database from 'better-sqlite3'
import { apiKeyDecider, apiKeySchemas, type ApiKeyState, type ExistingApiKey } from '../domain/api-key/index.js'
import { eachEvent, eventsOf, jsonRows, type Projection } from './projection.js'

const isApiKeyEvent = eventsOf(apiKeySchemas)

export type ListedApiKey = Omit<ExistingApiKey, 'secretHash' | 'exists'>

export const apiKeysProjection: Projection = {
  name: 'api-keys',
  open: (db) => {
    db.exec('CREATE TABLE IF NOT EXISTS api_keys (key_id TEXT PRIMARY KEY, created_position TEXT NOT NULL, state TEXT NOT NULL)')
    const get = jsonRows<ApiKeyState>(db, 'api_keys', 'key_id')
    const put = db.prepare(
      `INSERT INTO api_keys (key_id, created_position, state) VALUES (?, ?, ?)
       ON CONFLICT (key_id) DO UPDATE SET state = excluded.state`,
    )
    return eachEvent(({ event, recorded }) => {
      if (!isApiKeyEvent(event)) return
      const next = apiKeyDecider.evolve(get(event.data.keyId) ?? apiKeyDecider.initialState, event)
      if (!next.exists) return
      const { secretHash: _secret, exists: _exists, ...listed } = next
      put.run(event.data.keyId, recorded.position.toString().padStart(40, '0'), JSON.stringify({ exists: true, ...listed }))
    })
  },
}

export const apiKeyReader = (db: Database.Database) => {
  const page = db.prepare('SELECT state FROM api_keys ORDER BY created_position LIMIT ? OFFSET ?')
  return {
    list: (limit: number, offset: number): ListedApiKey[] =>
      (page.all(limit, offset) as { state: string }[]).map((r) => {
        const { exists: _exists, ...listed } = JSON.parse(r.state) as ListedApiKey & { exists: true }
        return listed
      }),
  }
}
