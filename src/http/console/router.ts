// The compliance console (issue 15): a page and its scripts, served by the
// engine itself so it needs no other server and no external network. It
// reads the engine's own JSON endpoints with the token the user signs in
// with (kept in the tab's sessionStorage, sent as a Bearer header).
//   GET /console           the page
//   GET /console/{asset}   its scripts and stylesheet (plain ES modules: no build step)
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Router, type Response } from 'express'
import { send, type Dialect } from '../reply.js'

const ASSETS = fileURLToPath(new URL('./assets/', import.meta.url))

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/**
 * Nothing inline and nothing from elsewhere: scripts, styles and requests
 * only from the engine; no plugins, frames, forms posted or base rewritten.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  // The assets change with the engine; a revalidation is cheap.
  'Cache-Control': 'no-cache',
}

interface Asset {
  readonly type: string
  readonly body: Buffer
}

/** Every asset, read once at start: a request can name only one of these. */
const loadAssets = (): ReadonlyMap<string, Asset> =>
  new Map(
    readdirSync(ASSETS)
      .filter((name) => TYPES[extname(name)] !== undefined)
      .map((name) => [name, { type: TYPES[extname(name)]!, body: readFileSync(join(ASSETS, name)) }] as const),
  )

const serve = (res: Response, asset: Asset): void => {
  res.set({ ...HEADERS, 'Content-Type': asset.type })
  res.status(200).send(asset.body)
}

/** `dialect`: how an unknown asset is answered (the module's). */
export const createConsoleRouter = (dialect: Dialect): Router => {
  const assets = loadAssets()
  const page = assets.get('index.html')!
  const router = Router()
  router.get('/console', (_req, res) => serve(res, page))
  router.get('/console/:asset', (req, res) => {
    const asset = assets.get(String(req.params.asset))
    if (asset === undefined) send(res, dialect.problem(404, { detail: `no such console asset: ${String(req.params.asset)}` }))
    else serve(res, asset)
  })
  return router
}
