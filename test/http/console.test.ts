// The compliance console in a real browser: Debian's Chromium driven by
// playwright-core against a real engine on loopback. Seats are taken through
// seed 002 just before the page is opened; the page must show them.
// Without Chromium, CI fails here loudly; elsewhere the file is skipped with one line saying why.
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody } from '../support/babel.js'
import { createCustomer, createTemplate, issueKey, seedCustomer, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { ADMIN_TOKEN, client } from '../support/server.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const present = existsSync(CHROMIUM)
const inCi = process.env.CI === 'true' || process.env.CI === '1'
/** Git-ignored: where the screenshot of the license page is kept. */
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console')
const BROWSER_TIMEOUT = 120_000

if (!present && !inCi) console.warn(`console browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`)

describe.runIf(!present && inCi)('the console in a browser (CI)', () => {
  it('has Chromium to run in', () => {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium); the console's browser tests cannot run without it`)
  })
})

describe.runIf(present)('the console in a browser', () => {
  const server = useEngine()
  const api = client(server)
  let browser: Browser
  /** Requests the page made to anywhere but the engine: there must be none. */
  const elsewhere: string[] = []
  /** What the browser reported as errors (a CSP violation among them): there must be none. */
  const problems: string[] = []
  let productKey = ''
  let beforeSecondSeat = ''

  const open = async (path = '/console'): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    page.on('pageerror', (error) => problems.push(error.message))
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url())
      if (url.origin === new URL(server.url).origin || url.protocol === 'blob:') return route.continue()
      elsewhere.push(url.href)
      return route.abort()
    })
    await page.goto(`${server.url}${path}`)
    return page
  }

  const signIn = async (page: Page, token: string): Promise<void> => {
    await page.getByLabel('Admin token or API key').fill(token)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('#licenses').waitFor()
  }

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-default-apps', '--disable-sync', '--no-first-run', '--disable-features=Translate,OptimizationHints,MediaRouter'],
    })
    const rivers = await createCustomer(api)
    const acme = await createCustomer(api, { ...seedCustomer, name: 'Acme <b>Tools</b>' })
    const cad = await createTemplate(api, 'cad', 'CAD Suite')
    const cam = await createTemplate(api, 'cam', 'CAM Pro')
    for (const [key, customer, template] of [
      ['CAD-0001', rivers, cad],
      ['CAM-0001', acme, cam],
    ] as const) {
      const res = await api.post('/license-orders', { ...seedOrder(customer, template), activation_key: key, activations_allowed: 2 })
      expect(res.status, res.text).toBe(201)
    }
    productKey = (await issueKey(api, { product_id: 'cad' })).token

    // Through seed 002, a moment before the page is opened: 10:01 client 1 takes a seat; 10:02 client 2
    // takes the other, and client 3 is refused. The test clock then stands still, so no lease runs out.
    const babel = babelClient(server)
    server.clock.advance(60_000)
    expect((await babel('request', clientBody('CAD-0001', 1))).body.granted).toBe(true)
    server.clock.advance(30_000)
    beforeSecondSeat = server.clock.now().toISOString()
    server.clock.advance(30_000)
    expect((await babel('request', clientBody('CAD-0001', 2))).body.granted).toBe(true)
    expect((await babel('request', clientBody('CAD-0001', 3))).body.granted).toBe(false)
  }, BROWSER_TIMEOUT)

  afterAll(async () => {
    await browser?.close()
  })

  it('is served with a strict Content-Security-Policy and no inline script or style', async () => {
    const res = await api.get('/console', { token: null })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe')
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(res.text).not.toMatch(/\sstyle=|<style/)
    expect((await api.get('/console/nothing.js', { token: null })).status).toBe(404)
  })

  it('signs in, finds a license, and shows seats taken through seed 002 a moment earlier, with the cap and the denial', async () => {
    const page = await open()
    await signIn(page, ADMIN_TOKEN)
    expect(await page.evaluate('document.cookie')).toBe('')
    expect(page.url()).not.toContain(ADMIN_TOKEN)
    // Values are text, never markup.
    await expect.poll(() => page.locator('#licenses').textContent()).toContain('Acme <b>Tools</b>')

    await page.getByLabel('Search licenses').fill('cad suite')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => page.locator('#licenses tbody tr').count()).toBe(1)
    await expect.poll(() => page.locator('#licenses tbody tr').textContent()).toContain('2 / 2')
    await page.getByRole('link', { name: 'CAD-0001' }).click()

    await page.locator('#holders-now').waitFor()
    expect(await page.locator('#in-use').textContent()).toContain('2 of 2 places in use')
    const heldNow = await page.locator('#holders-now').textContent()
    expect(heldNow).toContain('client-1')
    expect(heldNow).toContain('client-2')

    // The chart: the 10:00 hour peaks at 2 seats of 2 allowed, with one denial.
    const bucket = page.locator('svg.chart .bucket[data-start="2026-11-22T10:00:00.000Z"]')
    await bucket.waitFor()
    expect(await bucket.getAttribute('data-peak')).toBe('2')
    expect(await bucket.getAttribute('data-denials')).toBe('1')
    expect(await bucket.getAttribute('aria-label')).toContain('peak 2 seats of 2 allowed; 1 request denied')
    expect(await page.locator('svg.chart .cap-label').textContent()).toBe('cap 2')
    expect(await page.locator('svg.chart .denial').count()).toBe(1)
    await bucket.hover()
    const detail = await page.locator('#chart-detail').textContent()
    expect(detail).toContain('Client 1 (client-1 on machine-1)')
    expect(detail).toContain('Client 2 (client-2 on machine-2)')

    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'license.png'), fullPage: true })
    await page.close()
  }, BROWSER_TIMEOUT)

  it('moves the time slider back and shows the holders of that instant', async () => {
    const page = await open()
    await signIn(page, ADMIN_TOKEN)
    await page.goto(`${server.url}/console#/license/CAD-0001`)
    const then = page.locator('#holders-then')
    await expect.poll(() => then.textContent()).toContain('client-2')

    await page.locator('#as-of').fill(String(Date.parse(beforeSecondSeat)))
    await expect.poll(() => page.locator('#as-of-instant').textContent()).toBe('2026-11-22 10:01:30 UTC')
    await expect.poll(() => then.textContent()).not.toContain('client-2')
    expect(await then.textContent()).toContain('client-1')

    // The history: newest first, with actor, source address and the events seed 002 caused.
    const history = await page.locator('#history').textContent()
    expect(history).toContain('SeatRequestDenied')
    expect(history!.indexOf('SeatRequestDenied')).toBeLessThan(history!.indexOf('OrderCreated'))
    expect(history).toContain('admin-token')
    await page.close()
  }, BROWSER_TIMEOUT)

  it('lets a product-scoped key see its product and refuses it another product’s license', async () => {
    const page = await open()
    await signIn(page, productKey)
    await expect.poll(() => page.locator('#licenses tbody').textContent()).toContain('CAD-0001')
    expect(await page.locator('#licenses tbody').textContent()).not.toContain('CAM-0001')
    await page.goto(`${server.url}/console#/license/CAM-0001`)
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('You may not open this license')
    expect(await page.locator('#holders-now').count()).toBe(0)
    await page.close()
  }, BROWSER_TIMEOUT)

  it('queries the audit log with filters and exports it with the token in a header, not the link', async () => {
    const page = await open()
    await signIn(page, ADMIN_TOKEN)
    await page.goto(`${server.url}/console#/audit`)
    await page.getByLabel('License (activation key or order id)').fill('CAD-0001')
    await page.getByLabel('Event types (comma-separated)').fill('SeatGranted')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => page.locator('#audit tbody tr').count()).toBe(2)
    const csv = page.getByRole('link', { name: 'CSV' })
    expect(await csv.getAttribute('href')).toBe('/audit/events.csv?license=CAD-0001&type=SeatGranted')
    const [file] = await Promise.all([page.waitForEvent('download'), csv.click()])
    const text = await (await import('node:fs/promises')).readFile((await file.path())!, 'utf8')
    expect(text.split('\r\n').filter((line) => line !== '').length).toBe(3)
    await page.close()
  }, BROWSER_TIMEOUT)

  it('works on a narrow screen: the license list is one card per license, each value named', async () => {
    const page = await open()
    await page.setViewportSize({ width: 360, height: 740 })
    await signIn(page, ADMIN_TOKEN)
    const cell = page.locator('#licenses tbody tr td').first()
    expect(await cell.evaluate((td: unknown) => (globalThis as unknown as { getComputedStyle: (el: unknown) => { display: string } }).getComputedStyle(td).display)).toBe('block')
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
    await page.close()
  }, BROWSER_TIMEOUT)

  it('made no request off the engine and reported no error (no CSP violation)', () => {
    expect(elsewhere).toEqual([])
    expect(problems.filter((p) => !/403|404/.test(p))).toEqual([])
  })
})
