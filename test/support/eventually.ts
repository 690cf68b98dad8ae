// Waits for something another process or task does in its own time (a mail
// delivered, a log line written), polling until it holds or a deadline passes.
// Not a way to wait for time-based rules: those use the hand-moved clock.
export const eventually = async <A>(check: () => A | undefined | Promise<A | undefined>, timeoutMs = 10_000, what = 'the condition'): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
