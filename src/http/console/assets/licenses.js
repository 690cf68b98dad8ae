// The licenses the token reaches: searchable and paged, from the read models
// (GET /license-orders).
import { get } from './api.js'
import { fill, h, notice, table } from './dom.js'

const PAGE = 25

const go = (q, offset) => {
  const query = new URLSearchParams()
  if (q !== '') query.set('q', q)
  if (offset > 0) query.set('offset', String(offset))
  const text = query.toString()
  location.hash = `#/licenses${text === '' ? '' : `?${text}`}`
}

const stateText = { active: 'Active', disabled: 'Disabled', expired: 'Expired' }

export const showLicenses = async (main, params, current) => {
  const q = params.q ?? ''
  const offset = Math.max(0, Number.parseInt(params.offset ?? '0', 10) || 0)
  const input = h('input', { id: 'search', name: 'q', type: 'search', value: q, placeholder: 'Key, customer, product…', autocomplete: 'off' })
  const form = h('form', { class: 'search', role: 'search' }, h('label', { for: 'search' }, 'Search licenses'), input, h('button', { type: 'submit' }, 'Search'))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    go(input.value.trim(), 0)
  })
  const results = h('div', { id: 'results', 'aria-live': 'polite' }, notice('info', 'Loading…'))
  fill(main, h('h1', null, 'Licenses'), form, results)

  const page = await get('/license-orders', { q, limit: PAGE, offset })
  if (!current()) return
  const rows = page.items.map((l) => [
    h('a', { href: `#/license/${encodeURIComponent(l.activation_key)}`, class: 'key' }, l.activation_key),
    l.customer.name ?? `Customer ${l.customer.id}`,
    [l.product_template.name ?? `Template ${l.product_template.id}`, h('span', { class: 'sub' }, ` product ${l.product_template.product_id ?? '?'}`)],
    l.license_type,
    h('span', { class: l.in_use >= l.allowed ? 'full' : null }, `${l.in_use} / ${l.allowed}`, l.in_use >= l.allowed ? ' (full)' : ''),
    h('span', { class: `state ${l.state}` }, stateText[l.state] ?? l.state),
  ])
  const first = page.total === 0 ? 0 : offset + 1
  const last = offset + page.items.length
  fill(
    results,
    h('p', { class: 'count' }, page.total === 0 ? 'No license matches.' : `Licenses ${first}–${last} of ${page.total}`),
    table(null, ['Activation key', 'Customer', 'Product', 'Type', 'Seats in use / allowed', 'State'], rows, { id: 'licenses' }),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      h('button', { type: 'button', disabled: offset === 0, onclick: () => go(q, Math.max(0, offset - PAGE)) }, '← Previous'),
      h('button', { type: 'button', disabled: last >= page.total, onclick: () => go(q, offset + PAGE) }, 'Next →'),
    ),
  )
}
