export * from './commands.js'
export * from './decider.js'
export * from './events.js'

export const seatStream = (seatId: string): string => `seat-${seatId}`
