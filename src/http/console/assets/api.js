// The engine's JSON endpoints, with the signed-in token as a Bearer header.
// The token lives in this tab's sessionStorage only: never in a URL, never in
// a cookie, gone when the tab closes.

const KEY = 'licensing-console.token'

export const token = () => sessionStorage.getItem(KEY)
export const remember = (value) => sessionStorage.setItem(KEY, value)
export const forget = () => sessionStorage.removeItem(KEY)

export class ApiError extends Error {
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

/** The path with its query: parameters that are null, undefined or '' are left out. */
export const pathWith = (path, params = {}) => {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue
    for (const one of Array.isArray(value) ? value : [value]) query.append(name, String(one))
  }
  const text = query.toString()
  return text === '' ? path : `${path}?${text}`
}

const request = async (path, params, accept) => {
  const response = await fetch(pathWith(path, params), {
    headers: { Authorization: `Bearer ${token() ?? ''}`, Accept: accept },
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  })
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`
    try {
      const body = await response.json()
      // Each API speaks its own error envelope.
      message = body?.detail ?? body?.error?.message ?? body?.message ?? message
      const fields = body?.errors ?? body?.error?.fields
      if (Array.isArray(fields)) message += ` (${fields.map((f) => `${f.field} ${f.message}`).join('; ')})`
      else if (fields && typeof fields === 'object') message += ` (${Object.entries(fields).map(([f, m]) => `${f} ${[m].flat().join(', ')}`).join('; ')})`
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiError(response.status, message)
  }
  return response
}

export const get = async (path, params) => (await request(path, params, 'application/json')).json()

/** Downloads what the path answers (an export) as a file, carrying the token in the header, not the URL. */
export const download = async (path, params, filename, accept) => {
  const blob = await (await request(path, params, accept)).blob()
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const licensePath = (key) => `/license-orders/${encodeURIComponent(key)}`
