// The history commands of `licensing` (issue 16): verify-log, verify-export, what-if.
import { verifyExportCommand } from './verify-export.js'
import { verifyLogCommand } from './verify-log.js'
import { whatIfCommand } from './what-if.js'

const output = { out: (text: string) => process.stdout.write(text), err: (text: string) => process.stderr.write(text) }

export const historyCommands: Readonly<Record<string, { readonly summary: string; readonly run: (args: readonly string[]) => Promise<number> }>> = {
  'verify-log': {
    summary: 'recompute the log’s hash chain and check its signed checkpoints: [--jwks <url-or-file>]',
    run: (args) => verifyLogCommand(args, process.env, output),
  },
  'verify-export': {
    summary: 'check an export with its chain offline: <file> --jwks <url-or-file>',
    run: (args) => verifyExportCommand(args, output),
  },
  'what-if': {
    summary: 'replay a license’s seat use under a proposed policy: --license <key> --from <t> --to <t> [--seats n] [--lease-seconds s] [--heartbeat-interval-seconds s]',
    run: (args) => whatIfCommand(args, process.env, output),
  },
}
