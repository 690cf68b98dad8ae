// Concurrent seats over time, drawn as SVG from the seat-usage report's
// buckets (never from raw events): a bar per bucket for the most seats held
// at once, the cap as a dashed step line, and a triangle over each bucket
// with denials. Hovering or focusing a bucket tells who held the seats then.
// Shapes and words carry the meaning, not colour alone.
import { fill, h, s, when } from './dom.js'

const W = 800
const H = 260
const PAD = { left: 36, right: 48, top: 24, bottom: 34 }

const holderText = (holder) => `${holder.client_name ?? holder.client_id} (${holder.client_id} on ${holder.machine_id})`

/** What one bucket says, in words. */
export const describeBucket = (row) => {
  const cap = row.seats_allowed === null ? '' : ` of ${row.seats_allowed} allowed`
  const denials = row.denials === 0 ? '' : `; ${row.denials} request${row.denials === 1 ? '' : 's'} denied`
  return `${when(row.start)} to ${when(row.end)}: peak ${row.peak_seats} seat${row.peak_seats === 1 ? '' : 's'}${cap}${denials}`
}

const detailOf = (row) => [
  h('p', { class: 'bucket-summary' }, describeBucket(row)),
  row.holders.length === 0
    ? h('p', null, 'No seat was held.')
    : [
        h('p', null, `Held at ${when(row.peak_at)} by:`),
        h('ul', { class: 'holders' }, row.holders.map((holder) => h('li', null, holderText(holder)))),
      ],
]

export const seatChart = (report) => {
  const rows = report.rows
  const top = Math.max(1, ...rows.map((r) => r.peak_seats), ...rows.map((r) => r.seats_allowed ?? 0))
  const plotW = W - PAD.left - PAD.right
  const plotH = H - PAD.top - PAD.bottom
  const step = plotW / Math.max(1, rows.length)
  const x = (i) => PAD.left + i * step
  const y = (v) => PAD.top + plotH - (v / top) * plotH
  const detail = h('div', { class: 'chart-detail', id: 'chart-detail', 'aria-live': 'polite' }, h('p', null, 'Point at or focus a bar to see who held the seats then.'))

  const ticks = [...new Set([0, Math.ceil(top / 2), top])]
  const grid = ticks.map((t) => [
    s('line', { class: 'grid-line', x1: PAD.left, x2: W - PAD.right, y1: y(t), y2: y(t) }),
    s('text', { class: 'axis', x: PAD.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, String(t)),
  ])
  const labelled = rows.length <= 1 ? [0] : [0, Math.floor((rows.length - 1) / 2), rows.length - 1]
  const xLabels = [...new Set(labelled)].map((i) =>
    s('text', { class: 'axis', x: x(i) + step / 2, y: H - PAD.bottom + 16, 'text-anchor': i === 0 ? 'start' : i === rows.length - 1 ? 'end' : 'middle' }, when(rows[i].start).replace(' UTC', '').slice(0, report.bucket === 'day' ? 10 : 16)),
  )

  // The cap as a step line: flat across each bucket, changing where it changed.
  let capPath = ''
  rows.forEach((r, i) => {
    if (r.seats_allowed === null) return
    const yy = y(r.seats_allowed)
    capPath += `${capPath === '' || rows[i - 1]?.seats_allowed === null ? 'M' : 'L'}${x(i)},${yy} L${x(i) + step},${yy} `
  })
  const lastCap = [...rows].reverse().find((r) => r.seats_allowed !== null)?.seats_allowed ?? null

  const barW = Math.max(1, step * 0.8)
  const buckets = rows.map((r, i) => {
    const show = () => {
      for (const el of svg.querySelectorAll('.bucket.active')) el.classList.remove('active')
      group.classList.add('active')
      fill(detail, detailOf(r))
    }
    const group = s(
      'g',
      { class: `bucket${r.denials > 0 ? ' denied' : ''}`, tabindex: 0, role: 'img', 'aria-label': describeBucket(r), 'data-start': r.start, 'data-peak': r.peak_seats, 'data-denials': r.denials, onmouseenter: show, onfocus: show, onclick: show },
      s('title', null, describeBucket(r)),
      s('rect', { class: 'hit', x: x(i), y: PAD.top, width: step, height: plotH }),
      r.peak_seats > 0 ? s('rect', { class: 'bar', x: x(i) + (step - barW) / 2, y: y(r.peak_seats), width: barW, height: y(0) - y(r.peak_seats) }) : null,
      r.denials > 0
        ? s('path', { class: 'denial', d: `M${x(i) + step / 2},${PAD.top - 14} l-5,9 h10 z` })
        : null,
    )
    return group
  })

  const svg = s(
    'svg',
    { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': `Concurrent seats per ${report.bucket}, ${when(report.from)} to ${when(report.to)}` },
    grid,
    s('line', { class: 'axis-line', x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0) }),
    xLabels,
    buckets,
    capPath === '' ? null : s('path', { class: 'cap', d: capPath }),
    lastCap === null ? null : s('text', { class: 'cap-label', x: W - PAD.right + 4, y: y(lastCap) + 4 }, `cap ${lastCap}`),
  )

  const legend = h(
    'ul',
    { class: 'legend' },
    h('li', null, h('span', { class: 'swatch bar-swatch', 'aria-hidden': 'true' }), 'Bar: the most seats held at once'),
    h('li', null, h('span', { class: 'swatch cap-swatch', 'aria-hidden': 'true' }), 'Dashed line: the cap (activations allowed)'),
    h('li', null, h('span', { class: 'swatch denial-swatch', 'aria-hidden': 'true' }, '▲'), 'Triangle: requests denied for want of a seat'),
  )
  return h('figure', { class: 'seat-chart' }, svg, legend, detail)
}

/** The same buckets as a table, for reading without the picture. */
export const seatTable = (report) =>
  h(
    'details',
    { class: 'chart-table' },
    h('summary', null, 'The chart as a table'),
    h(
      'table',
      { class: 'grid' },
      h('thead', null, h('tr', null, ['From', 'Peak seats', 'Cap', 'Seat-hours', 'Grants', 'Releases', 'Expiries', 'Denials', 'Held by'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        null,
        report.rows
          .filter((r) => r.peak_seats > 0 || r.grants + r.releases + r.expiries + r.denials > 0)
          .map((r) =>
            h(
              'tr',
              null,
              [when(r.start), r.peak_seats, r.seats_allowed ?? '—', r.seat_hours, r.grants, r.releases, r.expiries, r.denials, r.holders.map(holderText).join(', ') || '—'].map((v, i) =>
                h('td', { 'data-label': ['From', 'Peak seats', 'Cap', 'Seat-hours', 'Grants', 'Releases', 'Expiries', 'Denials', 'Held by'][i] }, String(v)),
              ),
            ),
          ),
      ),
    ),
  )
