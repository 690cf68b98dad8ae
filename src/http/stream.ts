// Long answers written piece by piece: each page as soon as it is read, with
// backpressure (when the socket's buffer is full, the next page is read only
// once the client has taken this one), stopping when the client goes away. So
// an export of any size holds one page in memory, and the server keeps
// answering other requests while it runs.
import { once } from 'node:events'
import type { Response } from 'express'

export interface Streamed {
  readonly contentType: string
  /** Suggested file name for a download. */
  readonly filename: string
}

const gone = (res: Response): boolean => res.destroyed || res.writableEnded

/** Resolves once the buffer has drained, or the client has gone. */
const drained = async (res: Response): Promise<void> => {
  const controller = new AbortController()
  await Promise.race([once(res, 'drain', { signal: controller.signal }), once(res, 'close', { signal: controller.signal })]).catch(() => undefined)
  controller.abort()
}

/** Sends 200 with the header text, then one chunk per page. Headers are sent when this starts: a failure later ends the response early (the client sees a truncated body, never a second status). */
export const streamPages = async <A>(
  res: Response,
  streamed: Streamed,
  header: string,
  pages: Iterable<readonly A[]> | AsyncIterable<readonly A[]>,
  line: (item: A) => string,
): Promise<void> => {
  res.status(200)
  res.set({
    'Content-Type': streamed.contentType,
    'Content-Disposition': `attachment; filename="${streamed.filename}"`,
    'Cache-Control': 'no-store',
  })
  try {
    if (header !== '' && !res.write(header)) await drained(res)
    if (gone(res)) return
    for await (const page of pages) {
      if (!res.write(page.map(line).join(''))) await drained(res)
      // Even when the buffer took it all, let other requests have a turn between pages.
      else await new Promise<void>((resolve) => setImmediate(resolve))
      // Checked before the loop reads the next page: a client that went away costs no further reads.
      if (gone(res)) return
    }
    if (!gone(res)) res.end()
  } catch (error) {
    res.req.log.error({ err: error }, 'export failed after it had started')
    res.destroy(error instanceof Error ? error : new Error(String(error)))
  }
}
