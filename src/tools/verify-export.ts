// `licensing verify-export <file> --jwks <url-or-file>`: checks an export of
// the log with its chain (GET /audit/events.ndjson?chain=true) offline,
// against the public keys alone: every event's digest and link recomputed,
// every checkpoint's signature verified. Exit 0: intact; 1: the first
// position that differs is named; 2: it cannot run.
import { createReadStream, existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import * as E from 'fp-ts/Either'
import type { Checkpoint } from '../chain/checkpoints.js'
import { EXPORT_FORMAT } from '../chain/export.js'
import { verifyChain, type ChainEntry } from '../chain/verify.js'
import { loadJwks } from './jwks-source.js'
import type { Output } from './replay.js'
import { reportVerification } from './verify-log.js'

export const VERIFY_EXPORT_USAGE = 'usage: licensing verify-export <file> --jwks <url-or-file>'

interface Line {
  readonly format?: string
  readonly position?: string
  readonly event?: { id: string; stream: string; revision: number; type: string; data: unknown; metadata: unknown; recorded_at: string }
  readonly trimmed?: { stream: string; revision: number }
  readonly broken?: string
  readonly digest?: string
  readonly link?: string
  readonly checkpoint?: { position: string; link: string; signed_at: string; jws: string }
}

async function* linesOf(file: string): AsyncGenerator<{ readonly number: number; readonly line: Line }> {
  let number = 0
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    number += 1
    if (text.trim() === '') continue
    let line: unknown
    try {
      line = JSON.parse(text)
    } catch {
      throw new Error(`line ${number} is not JSON`)
    }
    if (typeof line !== 'object' || line === null) throw new Error(`line ${number} is not an object`)
    yield { number, line: line as Line }
  }
}

const positionOf = (text: unknown, number: number): bigint => {
  if (typeof text !== 'string' || !/^\d{1,40}$/.test(text)) throw new Error(`line ${number}: no position`)
  return BigInt(text)
}

const entryOf = (line: Line, number: number): ChainEntry => {
  const position = positionOf(line.position, number)
  if (line.broken !== undefined) return { kind: 'broken', position, reason: line.broken }
  const link = typeof line.link === 'string' ? line.link : null
  if (line.trimmed !== undefined) {
    if (typeof line.digest !== 'string') throw new Error(`line ${number}: a trimmed event without its digest`)
    return { kind: 'trimmed', position, stream: line.trimmed.stream, revision: line.trimmed.revision, digest: line.digest, link }
  }
  const event = line.event
  if (event === undefined) throw new Error(`line ${number}: neither an event, a trimmed event nor a checkpoint`)
  const { id, stream, revision, type, data, metadata, recorded_at } = event
  return { kind: 'event', position, event: { id, stream, revision, type, data, metadata, recordedAt: recorded_at }, digest: typeof line.digest === 'string' ? line.digest : null, link }
}

export const verifyExportCommand = async (args: readonly string[], output: Output): Promise<number> => {
  const { out, err } = output
  let file: string | null = null
  let jwksSource: string | null = null
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!
    if (arg === '--help' || arg === '-h') {
      out(`${VERIFY_EXPORT_USAGE}\n\nVerifies an export of the log with its hash chain (GET /audit/events.ndjson?chain=true) offline,\nwith the public keys alone (the engine's /.well-known/jwks.json, as a URL or a file). Exits 0 when\nit is intact, 1 naming the first position that differs.\n`)
      return 0
    }
    if (arg === '--jwks' && args[i + 1] !== undefined) jwksSource = args[++i]!
    else if (arg.startsWith('--jwks=')) jwksSource = arg.slice('--jwks='.length)
    else if (!arg.startsWith('-') && file === null) file = arg
    else {
      err(`unknown argument: ${arg}\n${VERIFY_EXPORT_USAGE}\n`)
      return 2
    }
  }
  if (file === null || jwksSource === null) {
    err(`${VERIFY_EXPORT_USAGE}\n`)
    return 2
  }
  if (!existsSync(file)) {
    err(`no such file: ${file}\n`)
    return 2
  }
  const jwks = await loadJwks(jwksSource)
  // First pass: the header and the checkpoints; second: the entries, streamed.
  const checkpoints: Checkpoint[] = []
  let format: string | null = null
  for await (const { number, line } of linesOf(file)) {
    if (line.format !== undefined) format = line.format
    if (line.checkpoint !== undefined) {
      const { position, link, signed_at, jws } = line.checkpoint
      checkpoints.push({ position: positionOf(position, number), link, signedAt: signed_at, jws })
    }
  }
  if (format !== EXPORT_FORMAT) {
    err(`${file} is not an export of the log with its chain (no "${EXPORT_FORMAT}" header line): export it with GET /audit/events.ndjson?chain=true\n`)
    return 2
  }
  async function* entries(): AsyncGenerator<ChainEntry> {
    for await (const { number, line } of linesOf(file!)) if (line.format === undefined && line.checkpoint === undefined) yield entryOf(line, number)
  }
  const result = await verifyChain(entries(), checkpoints, { jwks })
  if (E.isRight(result) && result.right.checkpoints === 0 && result.right.events + result.right.trimmed > 0) {
    out(`${file} carries no signed checkpoint: nothing in it is vouched for\n`)
    return 1
  }
  return reportVerification(result, file, output)
}
