export * from './decider.js'
export * from './events.js'

export const lockoutStream = (address: string): string => `lockout-${address}`
