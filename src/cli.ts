// The command-line tools shipped with the package (`npx licensing <command>`,
// `node dist/cli.js <command>` in the image); src/command-line.ts holds them.
import { main } from './command-line.js'

process.exitCode = await main(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
})
