// One license: its terms and features as seed 001 shows them, who holds it
// now, its seats over a chosen period, the license as it was at any past
// instant (asOf), and its history with field-level diffs.
import { ApiError, get, licensePath } from './api.js'
import { seatChart, seatTable } from './chart.js'
import { facts, fill, h, notice, shown, table, when } from './dom.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const HISTORY_PAGE = 20

const yesNo = (v) => (v === true ? 'yes' : v === false ? 'no' : shown(v))

const termsFacts = (order) =>
  facts([
    ['Customer', order.customer?.name ?? '—'],
    ['Product template', order.product_template === null ? '—' : `${order.product_template.name} (id ${order.product_template.id}, product ${order.product_template.product_id})`],
    ['Created', `${order.creation_time} UTC`],
    ['License type', order.license_type],
    ['Licensee type', order.licensee_type],
    ['Licensee', shown(order.licensee)],
    ['Activations allowed', shown(order.activations_allowed)],
    ['Activated machines', shown(order.activated_licenses_count)],
    ['Enabled', yesNo(order.enabled)],
    ['Host ID match rate', `${shown(order.hostid_match_rate)} %`],
    ['Minimum host IDs', shown(order.min_hostids)],
    ['Deactivations allowed / left', `${shown(order.deactivations_allowed)} / ${shown(order.deactivations_left)}`],
    ['Removal', yesNo(order.removal)],
    ['Description', shown(order.description)],
    ['Settings description', shown(order.settings_description)],
  ])

const expiry = (f) => (f.expiration_type === 'fixed' ? f.expiration_date : f.expiration_type === 'days_from_activation' ? `${f.days_from_activation} days from activation` : 'never')
const issued = (f) => (f.issued_type === 'fixed' ? f.issued_date : f.issued_type.replace(/_/g, ' '))
const maintenance = (f) =>
  f.maintenance_type === 'fixed' ? f.maintenance_date : f.maintenance_type === 'days_from_activation' ? `${f.maintenance_days_from_activation} days from activation` : 'none'

const featuresTable = (order, caption) =>
  table(
    caption,
    ['Feature', 'Version', 'Enabled', 'Count', 'Expires', 'Issued', 'Maintenance', 'Options', 'Comment'],
    order.Features.map((f) => [f.name, f.version, yesNo(f.enabled), shown(f.count), expiry(f), issued(f), maintenance(f), shown(f.options), shown(f.comment)]),
  )

const hostidsTable = (order) => table('Host IDs', ['Name', 'Min', 'Max'], order.Hostids.map((x) => [x.name, x.min_amount, x.max_amount]))

const holdersTable = (caption, used, attrs) =>
  table(
    caption,
    ['Kind', 'Client', 'Machine', 'Name', 'Address', 'Since', 'Lease until'],
    [
      ...used.activations.map((a) => ['Activation', a.client_id, a.machine_id, shown(a.client_name), shown(a.client_addr), when(a.activated_at), '—']),
      ...used.seats.map((x) => ['Floating seat', x.client_id, x.machine_id, shown(x.client_name), shown(x.client_addr), when(x.granted_at), when(x.lease_expires_at)]),
    ],
    attrs,
  )

// ---- seats over time --------------------------------------------------------

const PERIODS = [
  ['day', 'Last 24 hours', DAY, 'hour'],
  ['week', 'Last 7 days', 7 * DAY, 'hour'],
  ['month', 'Last 30 days', 30 * DAY, 'day'],
  ['year', 'Last 365 days', 365 * DAY, 'day'],
]

/** The end of the bucket that holds `now`: a period ending there shows the current bucket whole. */
const ceilTo = (ms, size) => Math.ceil((ms + 1) / size) * size

const seatSection = (key, now, current) => {
  const select = h('select', { id: 'period', name: 'period' }, PERIODS.map(([value, label]) => h('option', { value }, label)))
  const from = h('input', { id: 'chart-from', type: 'datetime-local', step: 1 })
  const to = h('input', { id: 'chart-to', type: 'datetime-local', step: 1 })
  const body = h('div', { class: 'chart-body' })
  const show = async (fromMs, toMs) => {
    const bucket = toMs - fromMs > 14 * DAY ? 'day' : 'hour'
    fill(body, notice('info', 'Loading the seat report…'))
    try {
      const report = await get('/reports/seat-usage', { activation_key: key, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), bucket, holders: 'true' })
      if (!current()) return
      fill(body, h('p', { class: 'totals' }, `In the period: at most ${report.totals.peak_seats} seats at once, ${report.totals.seat_hours} seat-hours, ${report.totals.grants} grants, ${report.totals.denials} requests denied.`), seatChart(report), seatTable(report))
    } catch (error) {
      fill(body, notice('error', error.message))
    }
  }
  const preset = () => {
    const [, , span, bucket] = PERIODS.find(([v]) => v === select.value)
    const end = ceilTo(now, bucket === 'day' ? DAY : HOUR)
    from.value = localInput(end - span)
    to.value = localInput(end)
    show(end - span, end)
  }
  select.addEventListener('change', preset)
  const custom = h('form', { class: 'inline' }, h('label', { for: 'chart-from' }, 'From'), from, h('label', { for: 'chart-to' }, 'To'), to, h('button', { type: 'submit' }, 'Show'))
  custom.addEventListener('submit', (event) => {
    event.preventDefault()
    const a = fromLocalInput(from.value)
    const b = fromLocalInput(to.value)
    if (a === null || b === null || a >= b) fill(body, notice('error', 'Choose a start before the end.'))
    else show(a, b)
  })
  preset()
  return h('section', { 'aria-labelledby': 'seats-title' }, h('h2', { id: 'seats-title' }, 'Seats over time'), h('div', { class: 'controls' }, h('label', { for: 'period' }, 'Period'), select, custom), body)
}

/** datetime-local inputs hold the browser's local time; the engine is told UTC instants. */
const pad = (n, w = 2) => String(n).padStart(w, '0')
const localInput = (ms) => {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}
const fromLocalInput = (value) => {
  const ms = new Date(value).getTime()
  return Number.isNaN(ms) ? null : ms
}

// ---- as it was ---------------------------------------------------------------

const asOfSection = (key, createdMs, now, current) => {
  const slider = h('input', {
    id: 'as-of',
    type: 'range',
    min: createdMs,
    max: now,
    step: 'any',
    value: now,
    'aria-describedby': 'as-of-instant',
  })
  const instant = h('output', { id: 'as-of-instant', for: 'as-of' }, when(new Date(now).toISOString()))
  const exact = h('input', { id: 'as-of-exact', type: 'text', placeholder: '2026-11-22T10:00:00Z', autocomplete: 'off', spellcheck: 'false' })
  const body = h('div', { id: 'as-of-body', 'aria-live': 'polite' })
  let timer = null
  let asked = 0
  const load = async (ms) => {
    const mine = ++asked
    const at = new Date(ms).toISOString()
    fill(instant, when(at))
    try {
      const then = await get(licensePath(key), { asOf: at })
      if (mine !== asked || !current()) return
      fill(
        body,
        h('p', { class: 'as-of-at' }, `The license as it was at ${when(then.as_of.at)}:`),
        facts([
          ['Activation key', then.activation_key],
          ['Customer', then.customer?.name ?? '—'],
          ['License type', then.license_type],
          ['Activations allowed', shown(then.activations_allowed)],
          ['Enabled', yesNo(then.enabled)],
          ['Features', then.Features.map((f) => `${f.name} ${f.version}${f.enabled ? '' : ' (disabled)'}`).join(', ') || '—'],
        ]),
        holdersTable('Holders then', then.as_of, { id: 'holders-then' }),
        featuresTable(then, 'Features then'),
      )
    } catch (error) {
      if (mine !== asked) return
      const text = error instanceof ApiError && error.status === 404 ? 'The license did not have this activation key at that instant (it did not exist yet, or had another key).' : error.message
      fill(body, notice('error', text))
    }
  }
  const soon = (ms) => {
    clearTimeout(timer)
    timer = setTimeout(() => load(ms), 150)
  }
  const set = (ms) => {
    const clamped = Math.min(now, Math.max(createdMs, ms))
    slider.value = String(clamped)
    soon(clamped)
  }
  slider.addEventListener('input', () => soon(Number(slider.value)))
  const nudge = (label, delta) => h('button', { type: 'button', onclick: () => set(Number(slider.value) + delta) }, label)
  const exactForm = h('form', { class: 'inline' }, h('label', { for: 'as-of-exact' }, 'Instant (ISO 8601)'), exact, h('button', { type: 'submit' }, 'Go'))
  exactForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const ms = Date.parse(exact.value)
    if (Number.isNaN(ms)) fill(body, notice('error', 'Write an instant such as 2026-11-22T10:00:00Z.'))
    else set(ms)
  })
  load(now)
  return h(
    'section',
    { 'aria-labelledby': 'as-of-title' },
    h('h2', { id: 'as-of-title' }, 'As it was'),
    h('div', { class: 'slider' }, h('label', { for: 'as-of' }, 'Move back in time'), slider, instant),
    h(
      'div',
      { class: 'controls' },
      nudge('−1 day', -DAY),
      nudge('−1 hour', -HOUR),
      nudge('−1 min', -60_000),
      nudge('+1 min', 60_000),
      nudge('+1 hour', HOUR),
      nudge('+1 day', DAY),
      h('button', { type: 'button', onclick: () => set(now) }, 'Now'),
      exactForm,
    ),
    body,
  )
}

// ---- history -----------------------------------------------------------------

const changesList = (changes) =>
  changes.length === 0
    ? '—'
    : h(
        'ul',
        { class: 'changes' },
        changes.map((c) => h('li', null, h('code', null, c.field.replace(/^terms\./, '')), ': ', h('del', null, shown(c.old)), ' → ', h('ins', null, shown(c.new)))),
      )

const historySection = (key, current) => {
  const body = h('div', { id: 'history-body' })
  const cursors = [null]
  const load = async (index) => {
    fill(body, notice('info', 'Loading the history…'))
    try {
      const page = await get(`${licensePath(key)}/history`, { limit: HISTORY_PAGE, cursor: cursors[index] })
      if (!current()) return
      if (page.next_cursor !== null) cursors[index + 1] = page.next_cursor
      fill(
        body,
        table(
          null,
          ['Time', 'Event', 'Actor', 'Source address', 'Changes'],
          page.items.map((e) => [when(e.recorded_at), e.type, shown(e.actor), shown(e.client_ip), changesList(e.changes ?? [])]),
          { id: 'history' },
        ),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'History pages' },
          h('button', { type: 'button', disabled: index === 0, onclick: () => load(index - 1) }, '← Newer'),
          h('span', null, ` Page ${index + 1} `),
          h('button', { type: 'button', disabled: page.next_cursor === null, onclick: () => load(index + 1) }, 'Older →'),
        ),
      )
    } catch (error) {
      fill(body, notice('error', error.message))
    }
  }
  load(0)
  return h('section', { 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, 'History (newest first)'), body)
}

// ---- the page ----------------------------------------------------------------

export const showLicense = async (main, key, current) => {
  fill(main, h('p', null, h('a', { href: '#/licenses' }, '← Licenses')), h('h1', null, 'License ', h('span', { class: 'key' }, key)), notice('info', 'Loading…'))
  let order
  let holders
  try {
    ;[order, holders] = await Promise.all([get(licensePath(key)), get(`${licensePath(key)}/holders`)])
  } catch (error) {
    if (!current()) return
    const text =
      error instanceof ApiError && error.status === 403
        ? 'You may not open this license: it is outside what your key may reach.'
        : error instanceof ApiError && error.status === 404
          ? 'No license has this activation key.'
          : error.message
    fill(main, h('p', null, h('a', { href: '#/licenses' }, '← Licenses')), h('h1', null, 'License ', h('span', { class: 'key' }, key)), notice('error', text))
    return
  }
  if (!current()) return
  const now = Date.parse(holders.at)
  // creation_time is to the second; the order existed by the end of that second.
  const createdMs = Date.parse(`${order.creation_time.replace(" ", "T")}Z`) + 999
  const inUse = holders.activations.length + holders.seats.length
  fill(
    main,
    h('p', null, h('a', { href: '#/licenses' }, '← Licenses'), ' · ', h('a', { href: `#/audit?license=${encodeURIComponent(key)}` }, 'Audit log of this license')),
    h('h1', null, 'License ', h('span', { class: 'key' }, order.activation_key)),
    h('p', { class: 'lead', id: 'in-use' }, `${inUse} of ${holders.allowed} places in use now (${holders.activations.length} activations, ${holders.seats.length} floating seats), ${order.enabled ? 'enabled' : 'disabled'}.`),
    h('section', { 'aria-labelledby': 'terms-title' }, h('h2', { id: 'terms-title' }, 'Terms'), termsFacts(order), hostidsTable(order), featuresTable(order, 'Features')),
    h('section', { 'aria-labelledby': 'holders-title' }, h('h2', { id: 'holders-title' }, 'Held now'), holdersTable(null, holders, { id: 'holders-now' })),
    seatSection(key, now, current),
    asOfSection(key, createdMs, now, current),
    historySection(key, current),
  )
}
