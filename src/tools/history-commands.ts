// The history commands of `licensing` (issue 16): verify-log, verify-export, what-if.
// Each answers --help itself; `help` here is what `licensing help <command>` prints.
import type { Output } from './replay.js'
import { verifyExportCommand } from './verify-export.js'
import { verifyLogCommand } from './verify-log.js'
import { whatIfCommand } from './what-if.js'

interface HistoryCommand {
  readonly summary: string
  readonly help: string
  readonly run: (args: readonly string[], env: NodeJS.ProcessEnv, output: Output) => Promise<number>
}

const usage = (name: string, summary: string): string => `usage: licensing ${name}\n\n${summary}`

const VERIFY_LOG = 'recompute the log’s hash chain and check its signed checkpoints: [--jwks <url-or-file>]'
const VERIFY_EXPORT = 'check an export with its chain offline: <file> --jwks <url-or-file>'
const WHAT_IF =
  'replay a license’s (or a product’s) seat use under a proposed policy: --license <key> | --product <id> --from <t> --to <t> [--seats n] [--lease-seconds s] [--heartbeat-interval-seconds s]'

export const historyCommands: Readonly<Record<string, HistoryCommand>> = {
  'verify-log': { summary: VERIFY_LOG, help: usage('verify-log', VERIFY_LOG), run: verifyLogCommand },
  'verify-export': { summary: VERIFY_EXPORT, help: usage('verify-export', VERIFY_EXPORT), run: (args, _env, output) => verifyExportCommand(args, output) },
  'what-if': { summary: WHAT_IF, help: usage('what-if', WHAT_IF), run: whatIfCommand },
}
