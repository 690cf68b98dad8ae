// The command-line tools shipped with the package (`npx licensing <command>`).
//   serve   run the server (what `npm start` does)
//   replay  rebuild the read models from the log; --verify compares them with the live ones
import * as E from 'fp-ts/Either'
import { loadServerConfig } from './config.js'
import { start } from './main.js'
import { replayCommand } from './tools/replay.js'

const commands: Readonly<Record<string, { readonly summary: string; readonly run: (args: readonly string[]) => Promise<number> }>> = {
  serve: {
    summary: 'run the server with the configuration from the environment',
    run: async () => {
      const config = loadServerConfig(process.env)
      if (E.isLeft(config)) {
        for (const problem of config.left) process.stderr.write(`configuration error: ${problem}\n`)
        return 2
      }
      const running = await start(config.right)
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'))
        process.once('SIGINT', () => resolve('SIGINT'))
      })
      process.stderr.write(`${signal}: shutting down\n`)
      await running.stop()
      return 0
    },
  },
  replay: {
    summary: 'rebuild every read model from the log into a fresh place: [--verify] [--into <dir>]',
    run: (args) =>
      replayCommand(args, process.env, { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) }),
  },
}

const [name, ...args] = process.argv.slice(2)
const command = name === undefined ? undefined : commands[name]
if (command === undefined) {
  process.stderr.write(
    `usage: licensing <command>\n\ncommands:\n${Object.entries(commands)
      .map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`)
      .join('\n')}\n`,
  )
  process.exit(name === undefined || name === 'help' || name === '--help' ? 0 : 2)
}
process.exitCode = await command.run(args).catch((error: unknown) => {
  process.stderr.write(`licensing ${name}: ${error instanceof Error ? error.message : String(error)}\n`)
  // Whatever the failed command left running (a timer, a socket) must not keep the process alive.
  process.exit(1)
})
