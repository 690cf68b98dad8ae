// `licensing license show <activation_key>`: one license as an operator wants
// to see it: its terms and standing now, what uses it (activations, seats),
// and a summary of its history (events by type, the latest ones told for a
// person), read from the running engine's API.
import { parseArgs } from 'node:util'
import { adminRequest, adminTarget, refusal, TARGET_HELP, TARGET_OPTIONS, type AdminTarget } from './admin-client.js'
import type { Output } from './replay.js'

export const LICENSE_HELP = `usage: licensing license show <activation_key> [options]

Shows a license: its customer, product, terms and standing, its activations and
live seats, and a summary of its history (events by type, the latest ones).

options:
  --recent <n>     how many of the latest events to list (default 10)
  --json           print what the engine answered, as JSON
${TARGET_HELP}
  -h, --help       this help

The engine must be running: this command uses its API.`

const OPTIONS = {
  ...TARGET_OPTIONS,
  recent: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** Pages of the history read for the counts: at most this many events are counted. */
const MAX_COUNTED_PAGES = 20
const PAGE = 1000

interface HistoryItem {
  readonly summary: string
  readonly recorded_at: string
  readonly type: string
}
interface HistoryPage {
  readonly order_id: string
  readonly current_activation_key: string
  readonly items: readonly HistoryItem[]
  readonly next_cursor: string | null
}

interface Summary {
  readonly license: Record<string, unknown>
  readonly usage: { readonly activations: readonly Record<string, unknown>[]; readonly seats: readonly Record<string, unknown>[] } | null
  readonly history: { readonly orderId: string; readonly counted: number; readonly complete: boolean; readonly byType: Readonly<Record<string, number>>; readonly first: HistoryItem | null; readonly recent: readonly HistoryItem[] }
}

const historyPath = (key: string, query: Record<string, string>): string => `/license-orders/${encodeURIComponent(key)}/history?${new URLSearchParams(query)}`

const summarize = async (target: AdminTarget, key: string, recentCount: number): Promise<Summary | string> => {
  const path = `/license-orders/${encodeURIComponent(key)}`
  const license = await adminRequest(target, 'GET', path)
  if (license.status !== 200) return refusal(license)
  // What uses it, as the engine folds it now (a clock apart from the engine's by a moment may miss the very last change).
  const now = await adminRequest(target, 'GET', `${path}?asOf=${encodeURIComponent(new Date().toISOString())}`)
  const usage = now.status === 200 ? ((now.body as { as_of: Summary['usage'] }).as_of ?? null) : null

  const recent = await adminRequest(target, 'GET', historyPath(key, { order: 'desc', limit: String(recentCount) }))
  if (recent.status !== 200) return refusal(recent)
  const byType: Record<string, number> = {}
  let counted = 0
  let first: HistoryItem | null = null
  let cursor: string | null = null
  let pages = 0
  let orderId = (recent.body as HistoryPage).order_id
  do {
    const answer = await adminRequest(target, 'GET', historyPath(key, { order: 'asc', limit: String(PAGE), ...(cursor === null ? {} : { cursor }) }))
    if (answer.status !== 200) return refusal(answer)
    const page = answer.body as HistoryPage
    orderId = page.order_id
    first ??= page.items[0] ?? null
    for (const item of page.items) byType[item.type] = (byType[item.type] ?? 0) + 1
    counted += page.items.length
    cursor = page.next_cursor
    pages += 1
  } while (cursor !== null && pages < MAX_COUNTED_PAGES)
  return {
    license: license.body as Record<string, unknown>,
    usage,
    history: { orderId, counted, complete: cursor === null, byType, first, recent: (recent.body as HistoryPage).items },
  }
}

const text = ({ license, usage, history }: Summary): string => {
  const customer = license.customer as { name?: unknown } | null
  const template = license.product_template as { id?: unknown; name?: unknown; product_id?: unknown } | null
  const lines = [
    `license ${String(license.activation_key)} (order ${history.orderId})`,
    `  customer:         ${customer === null ? '-' : String(customer.name)}`,
    `  product template: ${template === null ? '-' : `${String(template.id)} ${String(template.name ?? '')} (product ${String(template.product_id)})`}`,
    `  type:             ${String(license.license_type)}, licensee ${String(license.licensee ?? '-')}`,
    `  enabled:          ${String(license.enabled)}`,
    `  activations:      ${String(license.activated_licenses_count)} of ${String(license.activations_allowed)} allowed; ${String(license.deactivations_left)} deactivations left`,
    `  created:          ${String(license.creation_time)}`,
  ]
  if (usage !== null) {
    lines.push(`  in use now:       ${usage.activations.length} activation(s), ${usage.seats.length} live seat(s)`)
    for (const seat of usage.seats) lines.push(`    seat ${String(seat.seat_id)} held by ${String(seat.client_name ?? seat.client_id)} until ${String(seat.lease_expires_at)}`)
  }
  lines.push(`history: ${history.counted}${history.complete ? '' : '+'} event(s)${history.first === null ? '' : ` since ${history.first.recorded_at}`}`)
  for (const [type, count] of Object.entries(history.byType).sort(([, a], [, b]) => b - a)) lines.push(`  ${String(count).padStart(6)}  ${type}`)
  if (history.recent.length > 0) lines.push('latest:')
  for (const item of history.recent) lines.push(`  ${item.recorded_at}  ${item.summary}`)
  return `${lines.join('\n')}\n`
}

export const licenseCommand = async (args: readonly string[], env: NodeJS.ProcessEnv, { out, err, input }: Output): Promise<number> => {
  const { values, positionals } = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true })
  if (values.help === true) return (out(`${LICENSE_HELP}\n`), 0)
  const [action, key, ...rest] = positionals
  if (action !== 'show' || key === undefined || rest.length > 0) return (err(`${LICENSE_HELP}\n`), 2)
  const recent = values.recent === undefined ? 10 : Number(values.recent)
  if (!Number.isInteger(recent) || recent < 1 || recent > 1000) return (err('--recent must be an integer from 1 to 1000\n'), 2)
  const target = await adminTarget(values, env, { input, warn: (line) => err(`${line}\n`) })
  if (typeof target === 'string') return (err(`${target}\n`), 2)
  const summary = await summarize(target, key, recent)
  if (typeof summary === 'string') return (err(`${summary}\n`), 1)
  out(values.json === true ? `${JSON.stringify(summary, null, 2)}\n` : text(summary))
  return 0
}
