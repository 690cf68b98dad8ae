// Answers whose JSON is encoded already, in pieces (seed 002's info keeps
// each live seat's entry as bytes): the pieces are handed to the socket as
// they are, gathered into one write of the kernel, never joined into a
// buffer of the answer's size (a megabyte on a thousand seats, which cost
// more in fresh pages than all the rest of the call) nor made one string to
// encode. A route that sends one this way returns a Reply that `endpoint`
// does not send (as an export does, stream.ts): the headers are out.
import type { Response } from 'express'

export const sendJsonBytes = (res: Response, status: number, pieces: readonly Uint8Array[]): void => {
  let length = 0
  for (const piece of pieces) length += piece.byteLength
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', length)
  // Corked: the head and every piece leave in one gathered write when the answer ends.
  res.cork()
  for (const piece of pieces) res.write(piece)
  res.end()
}
