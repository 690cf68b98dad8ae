// The audit log (GET /audit/events) with its filters, paged by cursor, and
// its CSV and NDJSON exports for the same filters. An export is fetched with
// the token in its header and saved as a file: the token never goes in a link.
import { download, get, pathWith } from './api.js'
import { fill, h, notice, shown, table, when } from './dom.js'

const FILTERS = [
  ['license', 'License (activation key or order id)', 'text'],
  ['customer_id', 'Customer id', 'text'],
  ['product_id', 'Product id', 'text'],
  ['type', 'Event types (comma-separated)', 'text'],
  ['actor', 'Actor (credential id)', 'text'],
  ['from', 'From (ISO 8601, inclusive)', 'text'],
  ['to', 'To (ISO 8601, exclusive)', 'text'],
]

const concernsText = (c) =>
  [c.order_ids.length > 0 ? `orders ${c.order_ids.join(', ')}` : null, c.customer_ids.length > 0 ? `customers ${c.customer_ids.join(', ')}` : null, c.product_ids.length > 0 ? `products ${c.product_ids.join(', ')}` : null]
    .filter((x) => x !== null)
    .join('; ') || '—'

const changesText = (changes) => (changes.length === 0 ? '—' : h('ul', { class: 'changes' }, changes.map((c) => h('li', null, h('code', null, c.field), ': ', h('del', null, shown(c.old)), ' → ', h('ins', null, shown(c.new))))))

export const showAudit = async (main, params, current) => {
  const inputs = Object.fromEntries(FILTERS.map(([name, , type]) => [name, h('input', { id: `audit-${name}`, name, type, value: params[name] ?? '', autocomplete: 'off', spellcheck: 'false' })]))
  const order = h('select', { id: 'audit-order', name: 'order' }, h('option', { value: 'desc' }, 'Newest first'), h('option', { value: 'asc' }, 'Oldest first'))
  order.value = params.order === 'asc' ? 'asc' : 'desc'
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Audit filters' },
    FILTERS.map(([name, label]) => h('div', { class: 'field' }, h('label', { for: `audit-${name}` }, label), inputs[name])),
    h('div', { class: 'field' }, h('label', { for: 'audit-order' }, 'Order'), order),
    h('div', { class: 'field actions' }, h('button', { type: 'submit' }, 'Search')),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const query = new URLSearchParams()
    for (const [name] of FILTERS) if (inputs[name].value.trim() !== '') query.set(name, inputs[name].value.trim())
    if (order.value === 'asc') query.set('order', 'asc')
    location.hash = `#/audit?${query.toString()}`
  })
  const filters = Object.fromEntries([...FILTERS.map(([name]) => [name, params[name]]), ['order', params.order]].filter(([, v]) => v !== undefined && v !== ''))
  const exportLink = (ext, type, label) =>
    h('a', {
      href: pathWith(`/audit/events.${ext}`, filters),
      class: 'export',
      download: `audit.${ext}`,
      onclick: (event) => {
        event.preventDefault()
        download(`/audit/events.${ext}`, filters, `audit-events.${ext}`, type).catch((error) => fill(status, notice('error', error.message)))
      },
    }, label)
  const status = h('div', { 'aria-live': 'polite' })
  const results = h('div', { id: 'audit-results' }, notice('info', 'Loading…'))
  fill(
    main,
    h('h1', null, 'Audit log'),
    form,
    h('p', { class: 'exports' }, 'Export these events: ', exportLink('csv', 'text/csv', 'CSV'), ' · ', exportLink('ndjson', 'application/x-ndjson', 'NDJSON')),
    status,
    results,
  )

  const cursors = [null]
  const load = async (index) => {
    fill(results, notice('info', 'Loading…'))
    try {
      const page = await get('/audit/events', { ...filters, limit: 50, cursor: cursors[index] })
      if (!current()) return
      if (page.next_cursor !== null) cursors[index + 1] = page.next_cursor
      fill(
        results,
        table(
          null,
          ['Time', 'Event', 'Actor', 'Source address', 'Concerns', 'Changes'],
          page.items.map((e) => [when(e.recorded_at), e.type, shown(e.actor), shown(e.client_ip), concernsText(e.concerns), changesText(e.changes ?? [])]),
          { id: 'audit' },
        ),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Audit pages' },
          h('button', { type: 'button', disabled: index === 0, onclick: () => load(index - 1) }, '← Previous'),
          h('span', null, ` Page ${index + 1} `),
          h('button', { type: 'button', disabled: page.next_cursor === null, onclick: () => load(index + 1) }, 'Next →'),
        ),
      )
    } catch (error) {
      if (current()) fill(results, notice('error', error.message))
    }
  }
  await load(0)
}
