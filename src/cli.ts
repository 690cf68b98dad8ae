// The command-line tools shipped with the package (`npx licensing <command>`,
// `node dist/cli.js <command>` in the image); src/command-line.ts holds them.
import { main } from './command-line.js'

const code = await main(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
})
// A failed command (a serve that could not listen, say) must not be kept alive by what it left running (a timer, a socket).
if (code === 0) process.exitCode = 0
else process.exit(code)
