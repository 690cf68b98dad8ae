// `licensing api-keys create|list|revoke`: the admin API's /api-keys from the
// command line. The token of a new key is shown once, as the API shows it.
import { parseArgs } from 'node:util'
import { adminRequest, adminTarget, refusal, TARGET_HELP, TARGET_OPTIONS, type AdminTarget } from './admin-client.js'
import type { Output } from './replay.js'

export const API_KEYS_HELP = `usage: licensing api-keys <create|list|revoke> [options]

  create --name <name> --scope <scope> [--expires-at <instant>]
         issues a key and prints it as JSON; its "token" is shown this once
         <scope>: admin, product:<product id> or activation-key:<activation key>
  list   [--limit <n>] [--offset <n>] [--json]
         lists the keys (never a secret)
  revoke <key id>
         revokes a key at once

options:
${TARGET_HELP}
  -h, --help       this help

The engine must be running: these commands use its admin API.`

const OPTIONS = {
  ...TARGET_OPTIONS,
  name: { type: 'string' },
  scope: { type: 'string' },
  'expires-at': { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** The scope as the API takes it, or what is wrong with it. */
const scopeOf = (text: string): unknown => {
  if (text === 'admin') return 'admin'
  const colon = text.indexOf(':')
  const [kind, value] = colon < 0 ? [text, ''] : [text.slice(0, colon), text.slice(colon + 1)]
  if (kind === 'product' && value !== '') return { product_id: value }
  if (kind === 'activation-key' && value !== '') return { activation_key: value }
  return null
}

interface ListedKey {
  readonly id: string
  readonly name: string
  readonly scope: unknown
  readonly expires_at: string | null
  readonly created_at: string
  readonly revoked_at: string | null
}

const scopeText = (scope: unknown): string =>
  scope === 'admin' ? 'admin' : typeof scope === 'object' && scope !== null ? Object.entries(scope).map(([k, v]) => `${k}:${String(v)}`).join(',') : String(scope)

const table = (keys: readonly ListedKey[]): string => {
  const rows = [['ID', 'NAME', 'SCOPE', 'CREATED', 'EXPIRES', 'REVOKED'], ...keys.map((k) => [k.id, k.name, scopeText(k.scope), k.created_at, k.expires_at ?? '-', k.revoked_at ?? '-'])]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}

const run = async (target: AdminTarget, action: string, values: Record<string, string | boolean | undefined>, rest: readonly string[], { out, err }: Output): Promise<number> => {
  switch (action) {
    case 'create': {
      if (typeof values.name !== 'string' || typeof values.scope !== 'string') {
        err('api-keys create needs --name and --scope\n')
        return 2
      }
      const scope = scopeOf(values.scope)
      if (scope === null) {
        err(`--scope must be admin, product:<product id> or activation-key:<activation key> (got "${values.scope}")\n`)
        return 2
      }
      const body = { name: values.name, scope, ...(typeof values['expires-at'] === 'string' ? { expires_at: values['expires-at'] } : {}) }
      const answer = await adminRequest(target, 'POST', '/api-keys', body)
      if (answer.status !== 201) return (err(`${refusal(answer)}\n`), 1)
      out(`${JSON.stringify(answer.body, null, 2)}\n`)
      return 0
    }
    case 'list': {
      const query = new URLSearchParams()
      if (typeof values.limit === 'string') query.set('limit', values.limit)
      if (typeof values.offset === 'string') query.set('offset', values.offset)
      const answer = await adminRequest(target, 'GET', `/api-keys${query.size === 0 ? '' : `?${query}`}`)
      if (answer.status !== 200) return (err(`${refusal(answer)}\n`), 1)
      const { items } = answer.body as { items: readonly ListedKey[] }
      out(values.json === true ? `${JSON.stringify(answer.body, null, 2)}\n` : `${table(items)}\n`)
      return 0
    }
    case 'revoke': {
      const [id] = rest
      if (id === undefined || rest.length > 1) {
        err('api-keys revoke needs exactly one key id\n')
        return 2
      }
      const answer = await adminRequest(target, 'DELETE', `/api-keys/${encodeURIComponent(id)}`)
      if (answer.status !== 200) return (err(`${refusal(answer)}\n`), 1)
      out(`revoked ${id}\n`)
      return 0
    }
    default:
      err(`unknown action: ${action}\n\n${API_KEYS_HELP}\n`)
      return 2
  }
}

export const apiKeysCommand = async (args: readonly string[], env: NodeJS.ProcessEnv, output: Output): Promise<number> => {
  const { values, positionals } = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true })
  const [action, ...rest] = positionals
  if (values.help === true || action === undefined) {
    ;(values.help === true ? output.out : output.err)(`${API_KEYS_HELP}\n`)
    return values.help === true ? 0 : 2
  }
  if (action !== 'revoke' && rest.length > 0) {
    output.err(`unexpected argument: ${rest[0]}\n`)
    return 2
  }
  const target = await adminTarget(values, env, { input: output.input, warn: (line) => output.err(`${line}\n`) })
  if (typeof target === 'string') return (output.err(`${target}\n`), 2)
  return run(target, action, values, rest, output)
}
