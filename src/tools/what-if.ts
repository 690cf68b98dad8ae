// `licensing what-if --license <key> | --product <id> --from <instant> --to <instant> [--seats n]
// [--lease-seconds s] [--heartbeat-interval-seconds s] [--json]`: the what-if
// replay of POST /reports/what-if, run against the store directly (same
// environment as the server), with progress on stderr. Appends nothing. A
// product's licenses are found in the log itself (its templates, and the
// orders whose terms name one), as the command reads no read model.
import * as E from 'fp-ts/Either'
import { ActivationKeyAggregate } from '../application/aggregates.js'
import { decodeRecorded } from '../application/event-codec.js'
import { createWhatIf, type Outcome, type ProductWhatIfReport, type SeatPolicy } from '../application/what-if.js'
import type { EventStore } from '../store/port.js'
import { loadConfig } from '../config.js'
import { activationKeyStream } from '../domain/activation-key/index.js'
import { orderStream } from '../domain/order/index.js'
import { eventLogPath, openStore } from '../main.js'
import { sqliteStreamRows } from '../store/sqlite-stream-rows.js'
import type { Output } from './replay.js'

export const WHAT_IF_USAGE =
  'usage: licensing what-if (--license <activation key or order id> | --product <product id>) --from <instant> --to <instant> [--seats <n>] [--lease-seconds <s>] [--heartbeat-interval-seconds <s>] [--json]'

const FLAGS = { '--license': 'license', '--product': 'product', '--from': 'from', '--to': 'to', '--seats': 'seats', '--lease-seconds': 'leaseSeconds', '--heartbeat-interval-seconds': 'heartbeatIntervalSeconds' } as const
type Flag = (typeof FLAGS)[keyof typeof FLAGS]

const parse = (args: readonly string[]): E.Either<string, { values: Partial<Record<Flag, string>>; json: boolean }> => {
  const values: Partial<Record<Flag, string>> = {}
  let json = false
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!
    if (arg === '--help' || arg === '-h') return E.left('help')
    if (arg === '--json') {
      json = true
      continue
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const flag = (FLAGS as Record<string, Flag>)[name]
    const value = inline ?? args[++i]
    if (flag === undefined || value === undefined) return E.left(`unknown argument: ${arg}`)
    values[flag] = value
  }
  return E.right({ values, json })
}

const line = (name: string, o: Outcome): string =>
  `${name.padEnd(10)} ${String(o.requests).padStart(8)} ${String(o.grants).padStart(7)} ${String(o.denials).padStart(8)} ${String(o.peakConcurrency).padStart(5)} ${o.seatHours.toFixed(2).padStart(11)}\n`

const PAGE = 5_000

/** The product's licenses, oldest first: orders whose terms (as last set) name one of its templates, read from the log. */
const ordersOfProduct = async (store: EventStore, productId: string): Promise<readonly string[]> => {
  const templates = new Set<number>()
  const templateOf = new Map<string, number>()
  for (let from: bigint | undefined; ; ) {
    const page = await store.readAll({ maxCount: PAGE, ...(from === undefined ? {} : { from }) })
    for (const recorded of page) {
      if (recorded.type !== 'ProductTemplateCreated' && recorded.type !== 'OrderCreated' && recorded.type !== 'OrderUpdated') continue
      const { event } = decodeRecorded(recorded)
      if (event.type === 'ProductTemplateCreated' && event.data.productId === productId) templates.add(event.data.templateId)
      if (event.type === 'OrderCreated' || event.type === 'OrderUpdated') templateOf.set(event.data.orderId, event.data.terms.product_template_id)
    }
    const last = page[page.length - 1]
    if (page.length < PAGE || last === undefined) break
    from = last.position
  }
  return [...templateOf].filter(([, templateId]) => templates.has(templateId)).map(([orderId]) => orderId)
}

const productTable = (report: ProductWhatIfReport): string => {
  const rows = [`product ${report.productId}, ${report.period.from} to ${report.period.to}, ${report.licenses.length} licenses\n`, `           requests  grants  denials  peak  seat-hours\n`]
  for (const l of report.licenses) rows.push(`license ${l.orderId} (recorded ${l.policy.recorded.seats} seats, proposed ${l.policy.proposed.seats})\n`, line('recorded', l.recorded), line('proposed', l.proposed))
  rows.push('product\n', line('recorded', report.recorded), line('proposed', report.proposed))
  for (const d of report.proposed.deniedClients) rows.push(`denied under the proposal: ${d.clientId} (${d.machineId}) at ${d.at}\n`)
  return rows.join('')
}

export const whatIfCommand = async (args: readonly string[], env: NodeJS.ProcessEnv, { out, err }: Output): Promise<number> => {
  const parsed = parse(args)
  if (E.isLeft(parsed) && parsed.left === 'help') {
    out(`${WHAT_IF_USAGE}\n\nReplays the seat requests, heartbeats and releases the license's log recorded in the period under the\npolicy in force and under the proposed one (what is not given stays as recorded), in memory; nothing\nis appended. Same environment as the server. A product's licenses are each replayed so, their figures\nsummed and the peak taken across them.\n`)
    return 0
  }
  if (E.isLeft(parsed)) {
    err(`${parsed.left}\n${WHAT_IF_USAGE}\n`)
    return 2
  }
  const { values, json } = parsed.right
  const from = values.from === undefined ? NaN : Date.parse(values.from)
  const to = values.to === undefined ? NaN : Date.parse(values.to)
  const numbers: SeatPolicy = {}
  for (const flag of ['seats', 'leaseSeconds', 'heartbeatIntervalSeconds'] as const) {
    const text = values[flag]
    if (text === undefined) continue
    if (!/^\d{1,9}$/.test(text)) {
      err(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a whole number\n`)
      return 2
    }
    ;(numbers as Record<string, number>)[flag] = Number(text)
  }
  if ((values.license === undefined) === (values.product === undefined) || Number.isNaN(from) || Number.isNaN(to) || from >= to) {
    err(`--license or --product (one of the two), and --from before --to (ISO 8601 instants), are required\n${WHAT_IF_USAGE}\n`)
    return 2
  }
  const config = loadConfig(env)
  if (E.isLeft(config)) {
    for (const problem of config.left) err(`configuration error: ${problem}\n`)
    return 2
  }
  const store = openStore(config.right, () => new Date())
  // On the embedded log the seats' renewals are read from its table (what-if-log.ts).
  const rows = config.right.eventStoreConnectionString === null ? sqliteStreamRows(eventLogPath(config.right)) : undefined
  let shown = 0
  const progress = (phase: string, done: number, total: number) => {
    const now = Date.now()
    if (now - shown < 1_000 && done !== 0) return
    shown = now
    err(`what-if: ${phase}: ${done} of ${total}\n`)
  }
  try {
    if (values.product !== undefined) {
      const orderIds = await ordersOfProduct(store, values.product)
      if (orderIds.length === 0) {
        err(`no license of product ${values.product}\n`)
        return 2
      }
      const report = await createWhatIf(store, rows).runProduct(values.product, orderIds, { from: new Date(from), to: new Date(to) }, numbers, progress)
      err(`what-if: replayed ${report.actions} recorded actions of ${report.licenses.length} licenses twice\n`)
      out(json ? `${JSON.stringify(report, null, 2)}\n` : productTable(report))
      return 0
    }
    const license = values.license!
    // An activation key names the order that holds it; else it is taken as an order id.
    const key = (await store.readStream(activationKeyStream(license))).reduce(
      (state, recorded) => ActivationKeyAggregate.decider.evolve(state, decodeRecorded(recorded).event as Parameters<typeof ActivationKeyAggregate.decider.evolve>[1]),
      ActivationKeyAggregate.decider.initialState,
    )
    const orderId = key.holder ?? license
    if ((await store.readStream(orderStream(orderId), { maxCount: 1 })).length === 0) {
      err(`no license ${license}\n`)
      return 2
    }
    const report = await createWhatIf(store, rows).run(orderId, { from: new Date(from), to: new Date(to) }, numbers, progress)
    if (report === null) {
      err(`no license ${license}\n`)
      return 2
    }
    err(`what-if: replayed ${report.actions} recorded actions twice\n`)
    if (json) {
      out(`${JSON.stringify(report, null, 2)}\n`)
      return 0
    }
    const p = report.policy
    out(`license ${orderId}, ${report.period.from} to ${report.period.to}\n`)
    out(`policy    recorded: ${p.recorded.seats} seats, lease ${p.recorded.leaseSeconds} s, heartbeat ${p.recorded.heartbeatIntervalSeconds} s\n`)
    out(`          proposed: ${p.proposed.seats} seats, lease ${p.proposed.leaseSeconds} s, heartbeat ${p.proposed.heartbeatIntervalSeconds} s\n`)
    out(`           requests  grants  denials  peak  seat-hours\n`)
    out(line('recorded', report.recorded))
    out(line('proposed', report.proposed))
    for (const d of report.proposed.deniedClients) out(`denied under the proposal: ${d.clientId} (${d.machineId}) at ${d.at}\n`)
    return 0
  } finally {
    await store.close()
  }
}
