// Building the page without ever parsing text as HTML: every value becomes a
// text node (textContent), every attribute is set one by one. Nothing here
// writes innerHTML, so a customer named "<img onerror=...>" stays text.

const SVG_NS = 'http://www.w3.org/2000/svg'

/** Sets attributes, and listeners for `on<event>` keys. */
const apply = (el, attrs) => {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value)
    else el.setAttribute(name, value === true ? '' : String(value))
  }
  return el
}

const append = (el, children) => {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

/** An HTML element: h('td', { class: 'num' }, 'text', otherNode). */
export const h = (tag, attrs, ...children) => append(apply(document.createElement(tag), attrs), children)

/** An SVG element, the same way. */
export const s = (tag, attrs, ...children) => append(apply(document.createElementNS(SVG_NS, tag), attrs), children)

/** Replaces what an element holds. */
export const fill = (el, ...children) => {
  el.replaceChildren()
  return append(el, children)
}

/** "2026-11-22 10:01:00 UTC" for an ISO instant; "—" for none. */
export const when = (iso) => {
  if (iso === null || iso === undefined) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** A value as text: "—" for null, JSON for objects. */
export const shown = (value) => {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** A message the screen reader announces; `kind` is error or info (the text says which, not only the colour). */
export const notice = (kind, text) => h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, kind === 'error' ? 'Error: ' : '', text)

/** A table with a caption, a header row and body rows; each cell knows its column's name for narrow screens. */
export const table = (caption, columns, rows, attrs = {}) =>
  h(
    'table',
    { class: 'grid', ...attrs },
    caption === null ? null : h('caption', null, caption),
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      null,
      rows.length === 0
        ? h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, 'None.'))
        : rows.map((cells) => h('tr', null, cells.map((cell, i) => h('td', { 'data-label': columns[i] }, cell)))),
    ),
  )

/** A definition list from [term, value] pairs. */
export const facts = (pairs, attrs = {}) => h('dl', { class: 'facts', ...attrs }, pairs.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]))
