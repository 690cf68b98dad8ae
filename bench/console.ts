// `npm run bench -- console`: what the console costs on a license with a year
// of history. The license (3 floating seats) is used every hour of
// BENCH_CONSOLE_DAYS days (default 365), decided by the engine's application
// layer with a test clock: three clients take a seat, a fourth is refused, the
// three give theirs back. Then an engine is started on that log and each
// request the license page makes is timed (median of 5), and the page itself
// is loaded in Chromium (when installed) until its chart is drawn.
//
// The baseline in the same run: the seat-usage report the engine had before
// the console (no ?holders), for the same year; the console's report adds each
// bucket's peak instant, holders and cap to it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServices } from '../src/application/services.js'
import { createLogger } from '../src/logger.js'
import { start } from '../src/main.js'
import { createSqliteEventStore } from '../src/store/sqlite.js'
import { seedTerms } from '../test/domain/fixtures.js'
import { progress } from './progress.js'

const DAYS = Number(process.env.BENCH_CONSOLE_DAYS ?? 365)
const TOKEN = 'bench-console-admin-token-0123456789'
const KEY = 'YEAR-OF-SEATS'
const START = new Date('2025-11-22T00:00:00.000Z')
const RUNS = 5
const admin = { credentialId: 'admin-token', scope: { kind: 'admin' } } as const
const meta = { actor: 'bench', correlationId: 'bench', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }

const right = <A>(either: { _tag: string; left?: unknown; right?: A }, what: string): A => {
  if (either._tag === 'Left') throw new Error(`${what} failed: ${JSON.stringify(either.left)}`)
  return either.right as A
}

const build = async (dir: string): Promise<number> => {
  let now = START.getTime()
  const clock = () => new Date(now)
  const store = createSqliteEventStore({ path: join(dir, 'events.sqlite'), clock })
  const services = createServices({ store, clock, adminToken: null })
  const session = () => services.session()
  const profile = { name: 'Year Inc', description: null, phone_number: null, fax_number: null, street: null, city: null, country: null, zip_code: null, state: null, Contacts: [], CustomTags: [] }
  right(await services.customers.create(session(), { type: 'CreateCustomer', profile }, meta as never), 'customer')
  right(await services.productTemplates.create(session(), { type: 'CreateProductTemplate', name: 'Solver', productId: '1' }, meta as never), 'template')
  // A year: features that do not expire.
  const Features = seedTerms.Features.map((f) => ({ ...f, expiration_type: 'no_expiration' as const, expiration_date: null, days_from_activation: null }))
  const terms = { ...seedTerms, Features, customer_id: 1, product_template_id: 1, activations_allowed: 3 }
  const { orderId } = right<{ orderId: string }>(await services.orders.create(session(), admin, { terms, activationKey: KEY as never }, meta as never), 'order')
  const hours = DAYS * 24
  const shown = progress(`a license used every hour for ${DAYS} days`, hours)
  for (let hour = 0; hour < hours; hour += 1) {
    now = START.getTime() + hour * 3_600_000 + 60_000
    const seats: { seatId: string; clientId: string; machineId: string }[] = []
    for (let client = 0; client < 4; client += 1) {
      now += 1_000
      const who = { clientId: `client-${(hour + client) % 7}`, machineId: `machine-${(hour + client) % 7}` }
      const asked = right<{ seat: { seatId: string } | null }>(await services.usage.request(session(), { type: 'RequestSeat', orderId, ...who, clientName: 'workstation', clientAddr: null } as never, meta as never), 'request')
      if (asked.seat !== null) seats.push({ seatId: asked.seat.seatId, ...who })
    }
    now += 60_000
    for (const seat of seats) right(await services.usage.release(session(), { type: 'ReleaseSeat', orderId, ...seat } as never, meta as never), 'release')
    shown.tick(1)
  }
  shown.done()
  await store.close()
  return now
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

export const benchConsole = async (): Promise<void> => {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-console-'))
  try {
    const end = await build(dir)
    const clock = () => new Date(end + 3_600_000)
    const running = await start(
      {
        port: 0, host: '127.0.0.1', dataDir: dir, adminToken: TOKEN, eventStoreConnectionString: null, logLevel: 'silent', trustProxy: false, shutdownTimeoutMs: 5_000,
        lockout: { maxAttempts: 10, windowSeconds: 600, cooldownSeconds: 900 }, rateLimitPerMinute: 300, smtpUrl: null, mailFrom: 'bench <bench@localhost>', mailerEnabled: false,
      } as never,
      { clock, logger: createLogger('silent') },
    )
    try {
      // The read models are built from the log at first start: the figures are of an engine that has caught up.
      const shown = progress('the engine catching up with the log', 1)
      for (let waited = 0; (await fetch(`${running.url}/healthz`)).status !== 200; waited += 1) {
        if (waited > 1_800) throw new Error('the engine did not catch up with the log within 30 minutes')
        await new Promise((resolve) => setTimeout(resolve, 1_000))
      }
      shown.done()
      const time = async (path: string): Promise<{ ms: number; bytes: number }> => {
        const times: number[] = []
        let bytes = 0
        for (let run = 0; run < RUNS; run += 1) {
          const started = performance.now()
          const res = await fetch(`${running.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })
          const text = await res.text()
          if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`)
          times.push(performance.now() - started)
          bytes = text.length
        }
        return { ms: median(times), bytes }
      }
      const from = new Date(START).toISOString()
      const to = new Date(end + 3_600_000).toISOString()
      const report = `/reports/seat-usage?activation_key=${KEY}&from=${from}&to=${to}&bucket=day`
      const mid = new Date(START.getTime() + (end - START.getTime()) / 2 + 90_000).toISOString()
      // What the page asks for first (the last day, by hour) and a week in the middle of the year: a period's cost should be what it holds.
      const lastDay = `/reports/seat-usage?activation_key=${KEY}&from=${new Date(end - 23 * 3_600_000).toISOString()}&to=${to}&bucket=hour&holders=true`
      const midWeekFrom = new Date(START.getTime() + (end - START.getTime()) / 2)
      const midWeek = `/reports/seat-usage?activation_key=${KEY}&from=${midWeekFrom.toISOString()}&to=${new Date(midWeekFrom.getTime() + 7 * 86_400_000).toISOString()}&bucket=hour&holders=true`
      const figures = {
        days: DAYS,
        baseline_report: await time(report),
        console_report: await time(`${report}&holders=true`),
        last_day_report: await time(lastDay),
        mid_week_report: await time(midWeek),
        license: await time(`/license-orders/${KEY}`),
        holders: await time(`/license-orders/${KEY}/holders`),
        as_of_mid_year: await time(`/license-orders/${KEY}?asOf=${mid}`),
        history_page: await time(`/license-orders/${KEY}/history?limit=20`),
        list: await time('/license-orders?limit=25'),
        page_ms: null as number | null,
        year_chart_ms: null as number | null,
      }
      const ratio = figures.console_report.ms / figures.baseline_report.ms
      console.log(`year report: ${figures.console_report.ms.toFixed(0)} ms (${figures.console_report.bytes} bytes) with holders, against ${figures.baseline_report.ms.toFixed(0)} ms without: ${ratio.toFixed(2)}x`)
      console.log(`last day's report by hour with holders: ${figures.last_day_report.ms.toFixed(0)} ms; a mid-year week's: ${figures.mid_week_report.ms.toFixed(0)} ms`)
      console.log(`license ${figures.license.ms.toFixed(0)} ms, holders ${figures.holders.ms.toFixed(0)} ms, asOf mid-year ${figures.as_of_mid_year.ms.toFixed(0)} ms, history page ${figures.history_page.ms.toFixed(0)} ms, list ${figures.list.ms.toFixed(0)} ms`)
      const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
      if (existsSync(chromiumPath)) {
        const { chromium } = await import('playwright-core')
        const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-background-networking'] })
        try {
          const page = await browser.newPage()
          page.setDefaultTimeout(300_000)
          await page.goto(`${running.url}/console`)
          await page.getByLabel('Admin token or API key').fill(TOKEN)
          await page.getByRole('button', { name: 'Sign in' }).click()
          await page.locator('#licenses').waitFor()
          const pages: number[] = []
          const years: number[] = []
          for (let run = 0; run < RUNS; run += 1) {
            await page.goto('about:blank')
            const started = performance.now()
            await page.goto(`${running.url}/console#/license/${KEY}`)
            await page.locator('svg.chart .bucket').first().waitFor()
            await page.locator('#holders-then').waitFor()
            await page.locator('#history').waitFor()
            pages.push(performance.now() - started)
            const asked = performance.now()
            await page.locator('#period').selectOption('year')
            await page.locator('svg.chart[aria-label^="Concurrent seats per day"]').waitFor()
            years.push(performance.now() - asked)
          }
          figures.page_ms = median(pages)
          figures.year_chart_ms = median(years)
          console.log(`license page in Chromium (last day's chart, holders then, history): ${figures.page_ms.toFixed(0)} ms; the year's chart: ${figures.year_chart_ms.toFixed(0)} ms more`)
        } finally {
          await browser.close()
        }
      }
      console.log(JSON.stringify({ ...figures, ratio: figures.console_report.ms / figures.baseline_report.ms }))
    } finally {
      await running.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
