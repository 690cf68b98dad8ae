// The command line: `licensing <command>`, each command with its --help (which
// never does anything else), as src/cli.ts runs it and the tests call it.
import * as E from 'fp-ts/Either'
import { parseArgs } from 'node:util'
import { loadServerConfig, SETTINGS } from './config.js'
import { start, VERSION } from './main.js'
import { API_KEYS_HELP, apiKeysCommand } from './tools/api-keys.js'
import { BACKUP_HELP, backupCommand } from './tools/backup.js'
import { LICENSE_HELP, licenseCommand } from './tools/license-show.js'
import { REPLAY_HELP, replayCommand, type Output } from './tools/replay.js'
import { historyCommands } from './tools/history-commands.js'
import { RESTORE_HELP, restoreCommand } from './tools/restore.js'

interface Command {
  readonly summary: string
  readonly help: string
  readonly run: (args: readonly string[], env: NodeJS.ProcessEnv, output: Output) => Promise<number>
}

const SERVE_HELP = `usage: licensing serve

Runs the engine with the configuration from the environment, until SIGTERM or
SIGINT (then it shuts down gracefully). The settings, with their defaults:

${SETTINGS.map((s) => `  ${s.name.padEnd(40)} ${s.default}`).join('\n')}

The README's configuration table says what each one does.`

const serve = async (args: readonly string[], env: NodeJS.ProcessEnv, { out, err }: Output): Promise<number> => {
  const { values, positionals } = parseArgs({ args: [...args], options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  if (values.help === true) return (out(`${SERVE_HELP}\n`), 0)
  if (positionals.length > 0) return (err(`unexpected argument: ${positionals[0]}\n${SERVE_HELP}\n`), 2)
  const config = loadServerConfig(env)
  if (E.isLeft(config)) {
    for (const problem of config.left) err(`configuration error: ${problem}\n`)
    return 2
  }
  const running = await start(config.right)
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'))
    process.once('SIGINT', () => resolve('SIGINT'))
  })
  err(`${signal}: shutting down\n`)
  await running.stop()
  return 0
}

const COMMANDS: Readonly<Record<string, Command>> = {
  serve: { summary: 'run the server with the configuration from the environment', help: SERVE_HELP, run: serve },
  replay: { summary: 'rebuild every read model from the log; --verify compares them with the live ones', help: REPLAY_HELP, run: replayCommand },
  backup: { summary: 'copy every SQLite file (and, if asked, the secrets) into <dir> while the engine runs', help: BACKUP_HELP, run: backupCommand },
  restore: { summary: 'put a backup in place as the data directory (engine stopped)', help: RESTORE_HELP, run: restoreCommand },
  'api-keys': { summary: 'create, list or revoke API keys (through the running engine)', help: API_KEYS_HELP, run: apiKeysCommand },
  license: { summary: 'show a license: state, use and history summary (through the running engine)', help: LICENSE_HELP, run: licenseCommand },
  ...historyCommands,
}

const HELP = `usage: licensing <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(13)} ${c.summary}`)
  .join('\n')}

\`licensing <command> --help\` says more about one. The settings come from the
environment (see \`licensing serve --help\`); --version prints the version.`

/** Runs the command line; resolves to the exit code (0 done, 1 failed, 2 used wrongly). */
export const main = async (argv: readonly string[], env: NodeJS.ProcessEnv, output: Output): Promise<number> => {
  const { out, err } = output
  const [name, ...args] = argv
  if (name === undefined) return (err(`${HELP}\n`), 2)
  if (name === '--help' || name === '-h') return (out(`${HELP}\n`), 0)
  if (name === '--version' || name === '-v') return (out(`${VERSION}\n`), 0)
  if (name === 'help') {
    const about = args[0] === undefined ? undefined : COMMANDS[args[0]]
    if (args[0] !== undefined && about === undefined) return (err(`unknown command: ${args[0]}\n\n${HELP}\n`), 2)
    return (out(`${about?.help ?? HELP}\n`), 0)
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (command === undefined) return (err(`unknown command: ${name}\n\n${HELP}\n`), 2)
  return command.run(args, env, output).catch((error: unknown) => {
    // A wrong option (node:util parseArgs) is a usage error; anything else failed.
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      err(`licensing ${name}: ${error.message}\n(licensing ${name} --help shows the options)\n`)
      return 2
    }
    err(`licensing ${name}: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  })
}
