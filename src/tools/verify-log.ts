// `licensing verify-log [--jwks <url-or-file>]`: recomputes the log's hash
// chain from the store and checks every signed checkpoint. Exit 0: intact;
// 1: the first position that differs is named; 2: it cannot run.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import * as E from 'fp-ts/Either'
import type { JSONWebKeySet } from 'jose'
import { verifyChain, type Problem, type Verified } from '../chain/verify.js'
import { loadConfig } from '../config.js'
import { eventLogPath } from '../main.js'
import { verifyEventStoreDbChain } from '../store/eventstoredb-chain.js'
import { readSqliteChain } from '../store/sqlite-chain-reader.js'
import { configuredJwks, loadJwks } from './jwks-source.js'
import type { Output } from './replay.js'

export const VERIFY_LOG_USAGE = 'usage: licensing verify-log [--jwks <url-or-file>]'

export const jwksArg = (args: readonly string[]): E.Either<string, string | null> => {
  let jwks: string | null = null
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!
    if (arg === '--help' || arg === '-h') return E.left('help')
    if (arg === '--jwks' && args[i + 1] !== undefined) jwks = args[++i]!
    else if (arg.startsWith('--jwks=')) jwks = arg.slice('--jwks='.length)
    else return E.left(`unknown argument: ${arg}`)
  }
  return E.right(jwks)
}

export const reportVerification = (result: E.Either<Problem, Verified>, what: string, { out }: Output): number => {
  if (E.isLeft(result)) {
    out(`${what} is NOT intact: first difference at position ${result.left.position}: ${result.left.reason}\n`)
    return 1
  }
  const v = result.right
  const unsigned = v.unsigned === 0 ? '' : `; ${v.unsigned} event(s) after the last checkpoint are chained but not signed yet`
  out(
    `${what} is intact: ${v.events} events${v.trimmed === 0 ? '' : ` and ${v.trimmed} trimmed by retention`} chained up to position ${v.lastPosition ?? 'none'}, ` +
      `${v.checkpoints} signed checkpoint(s) verified (last at ${v.lastCheckpoint ?? 'none'})${unsigned}\n`,
  )
  return 0
}

export const verifyLogCommand = async (args: readonly string[], env: NodeJS.ProcessEnv, output: Output): Promise<number> => {
  const { out, err } = output
  const parsed = jwksArg(args)
  if (E.isLeft(parsed) && parsed.left === 'help') {
    out(`${VERIFY_LOG_USAGE}\n\nRecomputes the hash chain of the event log (same environment as the server) and checks every\nsigned checkpoint against the engine's public keys (or those of --jwks). Exits 0 when the log is\nintact, 1 naming the first position that differs.\n`)
    return 0
  }
  if (E.isLeft(parsed)) {
    err(`${parsed.left}\n${VERIFY_LOG_USAGE}\n`)
    return 2
  }
  const config = loadConfig(env)
  if (E.isLeft(config)) {
    for (const problem of config.left) err(`configuration error: ${problem}\n`)
    return 2
  }
  const jwks: JSONWebKeySet | null = parsed.right !== null ? await loadJwks(parsed.right) : configuredJwks(config.right)
  if (jwks === null) {
    err('no public keys to check the checkpoints with: give --jwks, or set LICENSING_SIGNING_KEY as the server has it\n')
    return 2
  }
  const progress = (entries: number, position: bigint): void => err(`verify-log: ${entries} positions checked (at ${position})\n`)
  if (config.right.eventStoreConnectionString !== null) {
    const result = await verifyEventStoreDbChain(config.right, jwks, progress)
    return reportVerification(result, 'the log', output)
  }
  const path = eventLogPath(config.right)
  if (!existsSync(path)) {
    err(`no event log at ${resolve(path)}\n`)
    return 2
  }
  const snapshot = readSqliteChain(path)
  try {
    const result = await verifyChain(snapshot.entries, snapshot.checkpoints, { jwks, onProgress: progress })
    return reportVerification(result, `the log ${resolve(path)}`, output)
  } finally {
    snapshot.close()
  }
}
