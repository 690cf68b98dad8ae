// Answers whose JSON is encoded already, in pieces (seed 002's info keeps
// each live seat's entry as bytes): written as one buffer, the pieces copied
// once, without the answer ever being one string to encode. A route that
// sends one this way returns a Reply that `endpoint` does not send (as an
// export does, stream.ts): the headers are out.
import type { Response } from 'express'

export const sendJsonBytes = (res: Response, status: number, pieces: readonly Uint8Array[]): void => {
  const body = Buffer.concat(pieces)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', body.length)
  res.end(body)
}
