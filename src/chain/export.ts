// The log with its chain, as NDJSON an auditor verifies offline with the
// public keys alone (`licensing verify-export`): one line per position, in
// order (the event, or what retention left of it: its digest), each with its
// digest and link, and each signed checkpoint right after the position it
// signs. The export signs the tip it ends at first, so all of it is covered.
import type { Checkpoint } from './checkpoints.js'
import type { ChainSnapshot } from './ledger.js'
import { eventDigest, GENESIS_LINK, nextLink } from './links.js'
import type { ChainEntry } from './verify.js'

export const EXPORT_FORMAT = 'licensing-log-chain/1'

const checkpointLine = (checkpoint: Checkpoint): string =>
  `${JSON.stringify({ checkpoint: { position: checkpoint.position.toString(), link: checkpoint.link, signed_at: checkpoint.signedAt, jws: checkpoint.jws } })}\n`

const entryLine = (entry: ChainEntry, previous: string): { readonly line: string; readonly link: string } => {
  const position = entry.position.toString()
  if (entry.kind === 'broken') return { line: `${JSON.stringify({ position, broken: entry.reason })}\n`, link: previous }
  const digest = entry.kind === 'event' ? eventDigest(entry.event) : entry.digest
  const link = nextLink(previous, digest)
  if (entry.kind === 'trimmed') return { line: `${JSON.stringify({ position, trimmed: { stream: entry.stream, revision: entry.revision }, digest, link })}\n`, link }
  const { id, stream, revision, type, data, metadata, recordedAt } = entry.event
  return { line: `${JSON.stringify({ position, event: { id, stream, revision, type, data, metadata, recorded_at: recordedAt }, digest, link })}\n`, link }
}

/** Pages of lines up to and including `upTo` (the checkpoint the export signed), from one snapshot of the log. */
export async function* chainExportPages(snapshot: ChainSnapshot, upTo: Checkpoint | null, pageSize = 500): AsyncGenerator<readonly string[]> {
  yield [`${JSON.stringify({ format: EXPORT_FORMAT, genesis: GENESIS_LINK, up_to: upTo?.position.toString() ?? null })}\n`]
  if (upTo === null) return
  const checkpoints = snapshot.checkpoints.filter((c) => c.position <= upTo.position)
  let c = 0
  let link = GENESIS_LINK
  let page: string[] = []
  for await (const entry of snapshot.entries) {
    if (entry.position > upTo.position) break
    const written = entryLine(entry, link)
    link = written.link
    page.push(written.line)
    while (c < checkpoints.length && checkpoints[c]!.position <= entry.position) page.push(checkpointLine(checkpoints[c++]!))
    if (page.length >= pageSize) {
      yield page
      page = []
    }
  }
  while (c < checkpoints.length) page.push(checkpointLine(checkpoints[c++]!))
  if (page.length > 0) yield page
}
