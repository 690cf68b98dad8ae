// How the administrative commands (api-keys, license show) reach a running
// engine: over its own HTTP API, with the admin credential, so that every rule
// the server applies (validation, scopes, idempotency, the log's order) holds
// for them too, whatever the event store.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_FILES } from '../data-files.js'

export interface AdminTarget {
  readonly url: string
  readonly token: string
}

export interface AdminReply {
  readonly status: number
  readonly body: unknown
}

export interface TargetOptions {
  readonly url?: string | undefined
  readonly token?: string | undefined
}

export const TARGET_HELP = `  --url <url>      the engine's base URL (default: $LICENSING_URL, else http://127.0.0.1:$PORT, port 3000)
  --token <token>  the admin token (default: $LICENSING_ADMIN_TOKEN, else <data dir>/admin-token)`

/** Where the engine answers and the admin token, from the options, else the environment, else the data directory. */
export const adminTarget = (options: TargetOptions, env: NodeJS.ProcessEnv): AdminTarget | string => {
  const url = (options.url ?? env.LICENSING_URL ?? `http://127.0.0.1:${env.PORT?.trim() || '3000'}`).replace(/\/+$/, '')
  if (!/^https?:\/\/\S+$/.test(url)) return `--url must be an http:// or https:// URL (got "${url}")`
  const tokenFile = join(env.LICENSING_DATA_DIR?.trim() || './data', DATA_FILES.adminToken)
  const token = options.token ?? (env.LICENSING_ADMIN_TOKEN?.trim() || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : ''))
  if (token === '') return `no admin token: pass --token, set LICENSING_ADMIN_TOKEN, or run where ${tokenFile} is readable`
  return { url, token }
}

/** One request to the admin side of the engine; a connection failure says where it tried. */
export const adminRequest = async (target: AdminTarget, method: string, path: string, body?: unknown): Promise<AdminReply> => {
  const headers: Record<string, string> = { authorization: `Bearer ${target.token}`, accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`${target.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).catch(
    (error: unknown) => {
      throw new Error(`cannot reach the engine at ${target.url} (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)})`)
    },
  )
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = text === '' ? null : JSON.parse(text)
  } catch {
    // Not JSON: shown as it came.
  }
  return { status: response.status, body: parsed }
}

/** The engine's own words for a refusal (the admin dialect's {"error": {message, fields}}, or a dialect's detail), else the whole body. */
export const refusal = (answer: AdminReply): string => {
  const body = answer.body as { error?: { message?: unknown; fields?: ReadonlyArray<{ field: string; message: string }> }; detail?: unknown } | null
  const error = body !== null && typeof body === 'object' ? body.error : undefined
  const fields = error?.fields?.map((f) => `${f.field} ${f.message}`).join('; ')
  const said = error?.message ?? (body !== null && typeof body === 'object' ? body.detail : body)
  return `the engine answered ${answer.status}: ${typeof said === 'string' ? said : JSON.stringify(answer.body)}${fields === undefined || fields === '' ? '' : ` (${fields})`}`
}
