// The console's entry: sign-in, then a view per location hash
// (#/licenses, #/license/<activation key>, #/audit).
import { ApiError, forget, get, remember, token } from './api.js'
import { fill, h, notice } from './dom.js'
import { showAudit } from './audit.js'
import { showLicense } from './license.js'
import { showLicenses } from './licenses.js'

const main = document.getElementById('main')
const nav = document.getElementById('nav')

/** The hash's route and its query: "#/licenses?q=abc" -> ['licenses'], {q: 'abc'}. */
const route = () => {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?')
  return { parts: path.split('/').filter((p) => p !== '').map(decodeURIComponent), params: Object.fromEntries(new URLSearchParams(query)) }
}

const signInForm = (message) => {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'token-help' })
  const status = h('div', { id: 'sign-in-status' }, message === null ? null : notice('error', message))
  const form = h(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('label', { for: 'token' }, 'Admin token or API key'),
    input,
    h('p', { id: 'token-help', class: 'help' }, 'Kept in this tab only, and sent to this engine alone. A key scoped to a product or a license sees only what it may reach.'),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const value = input.value.trim()
    remember(value)
    try {
      await get('/license-orders', { limit: 1 })
      input.value = ''
      if (route().parts.length === 0) location.hash = '#/licenses'
      render()
    } catch (error) {
      forget()
      fill(status, notice('error', error instanceof ApiError && error.status === 403 ? 'This token was not accepted (invalid, expired or revoked).' : String(error.message)))
    }
  })
  return form
}

let rendering = 0

const render = async () => {
  const mine = ++rendering
  if (token() === null) {
    nav.hidden = true
    fill(main, signInForm(null))
    document.getElementById('token')?.focus()
    return
  }
  nav.hidden = false
  const { parts, params } = route()
  const view = parts[0] ?? 'licenses'
  try {
    if (view === 'license' && parts[1] !== undefined) await showLicense(main, parts[1], () => mine === rendering)
    else if (view === 'audit') await showAudit(main, params, () => mine === rendering)
    else await showLicenses(main, params, () => mine === rendering)
  } catch (error) {
    if (mine !== rendering) return
    // The token itself refused (revoked, expired): sign in again. A 403 for a place out of the key's reach is only shown.
    if (error instanceof ApiError && (error.status === 401 || /^Invalid or expired token/.test(error.message))) {
      forget()
      fill(main, signInForm('The engine no longer accepts this token; sign in again.'))
      return
    }
    fill(main, notice('error', String(error.message ?? error)))
  }
}

document.getElementById('sign-out').addEventListener('click', () => {
  forget()
  location.hash = ''
  render()
})
window.addEventListener('hashchange', render)
render()
