// How the administrative commands (api-keys, license show) reach a running
// engine: over its own HTTP API, with the admin credential, so that every rule
// the server applies (validation, scopes, idempotency, the log's order) holds
// for them too, whatever the event store.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/Either'
import { loadConfig } from '../config.js'
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
  /** Discouraged: an argument is visible to every user of the host (`ps`). */
  readonly token?: string | undefined
  /** The token is the first line of standard input. */
  readonly 'token-stdin'?: boolean | undefined
}

/** The options every admin command takes, for parseArgs. */
export const TARGET_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  'token-stdin': { type: 'boolean' },
} as const

export const TARGET_HELP = `  --url <url>      the engine's base URL (default: $LICENSING_URL, else http://127.0.0.1:$PORT, port 3000)
  --token-stdin    read the admin token from standard input (default: $LICENSING_ADMIN_TOKEN, else
                   <data dir>/admin-token)
  --token <token>  discouraged: the token, shown to anyone who can list processes (ps)`

const TOKEN_FLAG_WARNING = 'warning: --token shows the admin token to anyone who can list processes (ps); use LICENSING_ADMIN_TOKEN or --token-stdin'

/**
 * Where the engine answers and the admin token: the options, else the
 * settings as the server reads them (loadConfig), else the data directory.
 * A string: what is wrong (a usage error). `input` reads standard input;
 * `warn` hears of a discouraged option.
 */
export const adminTarget = async (
  options: TargetOptions,
  env: NodeJS.ProcessEnv,
  io: { readonly input?: (() => Promise<string>) | undefined; readonly warn: (line: string) => void },
): Promise<AdminTarget | string> => {
  const config = loadConfig(env)
  if (E.isLeft(config)) return config.left.map((problem) => `configuration error: ${problem}`).join('\n')
  const { port, dataDir, adminToken, engineUrl } = config.right
  const url = (options.url ?? engineUrl ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '')
  if (!/^https?:\/\/\S+$/.test(url)) return `--url must be an http:// or https:// URL (got "${url.replace(/\/\/[^/@]*@/, '//…@')}")`
  if (options.token !== undefined && options['token-stdin'] === true) return 'give the admin token with --token or --token-stdin, not both'
  if (options['token-stdin'] === true) {
    const line = ((await (io.input ?? readStdin)()).split(/\r?\n/)[0] ?? '').trim()
    return line === '' ? '--token-stdin: standard input held no token' : { url, token: line }
  }
  if (options.token !== undefined) {
    io.warn(TOKEN_FLAG_WARNING)
    return { url, token: options.token }
  }
  const tokenFile = join(dataDir, DATA_FILES.adminToken)
  const token = adminToken ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '')
  if (token === '') return `no admin token: set LICENSING_ADMIN_TOKEN, pass it on standard input with --token-stdin, or run where ${tokenFile} is readable`
  return { url, token }
}

/** Standard input up to its first line's end (or its end): a terminal need not send end-of-input. */
const readStdin = (): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = ''
    const done = (): void => {
      process.stdin.off('data', onData).off('end', done).off('error', reject)
      process.stdin.pause()
      resolve(text)
    }
    const onData = (chunk: unknown): void => {
      text += String(chunk)
      if (text.includes('\n')) done()
    }
    process.stdin.on('data', onData).once('end', done).once('error', reject)
  })

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
