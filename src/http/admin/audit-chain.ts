// GET /audit/events.ndjson?chain=true: the whole log with its hash chain and
// signed checkpoints (src/chain/export.ts), which `licensing verify-export`
// checks offline against the public keys alone. The whole log, so an admin
// credential only; it takes no filter (a filtered export could not be chained).
import type { Checkpoint } from '../../chain/checkpoints.js'
import { chainExportPages } from '../../chain/export.js'
import type { ChainSnapshot } from '../../chain/ledger.js'
import type { Call } from '../call.js'
import { reply, type Reply } from '../reply.js'
import { streamPages } from '../stream.js'
import { adminDialect as dialect } from './dialect.js'

export interface LogChainAccess {
  /** Signs the tip now (if not yet signed): the checkpoint the export ends at. */
  readonly checkpoint: () => Promise<Checkpoint | null>
  readonly read: () => Promise<ChainSnapshot>
}

/** null: not a chained export (no `chain`, or `chain=false`); else its reply. */
export const chainedExport = async (call: Call, chain: LogChainAccess | undefined): Promise<Reply | null> => {
  const { req, res, principal } = call
  const asked = req.query['chain']
  if (asked === undefined || asked === 'false') return null
  if (asked !== 'true') return dialect.problem(400, { fields: [{ field: 'chain', message: 'must be true or false' }] })
  const others = Object.keys(req.query).filter((name) => name !== 'chain')
  if (others.length > 0) return dialect.problem(400, { fields: others.map((field) => ({ field, message: 'is not accepted with chain=true: the chained export is the whole log' })) })
  if (principal.scope.kind !== 'admin') return dialect.problem(403, { detail: 'The chained export is the whole log: it takes an admin credential.' })
  if (chain === undefined) return dialect.problem(404, { detail: 'This engine keeps no hash chain of its log.' })
  const upTo = await chain.checkpoint()
  const snapshot = await chain.read()
  try {
    await streamPages(res, { contentType: 'application/x-ndjson', filename: 'audit-log-chain.ndjson' }, '', chainExportPages(snapshot, upTo), (line: string) => line)
  } finally {
    await snapshot.close()
  }
  return reply(200)
}
