// Progress for anything slow: done/total, rate and time left, on one line of stderr.
export interface Progress {
  readonly tick: (n?: number) => void
  readonly done: () => void
}

export const progress = (label: string, total: number): Progress => {
  const started = Date.now()
  let count = 0
  let lastPrint = 0
  const print = (final: boolean): void => {
    const seconds = (Date.now() - started) / 1000
    const rate = seconds > 0 ? count / seconds : 0
    const left = rate > 0 ? (total - count) / rate : 0
    process.stderr.write(
      `\r${label}: ${count}/${total} (${Math.round((count / total) * 100)}%), ${Math.round(rate)}/s, ${final ? `${seconds.toFixed(1)} s` : `~${left.toFixed(1)} s left`}   ${final ? '\n' : ''}`,
    )
  }
  return {
    tick: (n = 1) => {
      count += n
      if (Date.now() - lastPrint > 200) {
        lastPrint = Date.now()
        print(false)
      }
    },
    done: () => print(true),
  }
}
