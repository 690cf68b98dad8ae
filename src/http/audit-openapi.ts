// The query parameters the audit queries share, described for OpenAPI: the
// admin API's audit log and seed 001's history of one license both take them.
import { str } from './openapi-helpers.js'

export const query = (name: string, description: string, schema: Readonly<Record<string, unknown>> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
})

export const instant = { type: 'string', format: 'date-time' }

/** Filters and ordering, shared by the history of one license (which is the `license` filter already). */
export const auditFilterParameters = [
  query('type', 'Only events of these types (repeatable, or comma-separated), e.g. OrderUpdated.', { type: 'array', items: str }),
  query('actor', 'Only events caused by this credential id (an API key id, "admin-token", "system:<job>").'),
  query('from', 'Only events recorded at or after this instant (ISO 8601 with a time zone).', instant),
  query('to', 'Only events recorded before this instant (ISO 8601 with a time zone).', instant),
  query('order', 'desc (default): newest first; asc: oldest first.', { enum: ['asc', 'desc'], default: 'desc' }),
  query('cursor', "The previous page's next_cursor: continue after it."),
]
