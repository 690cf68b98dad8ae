export * from './decider.js'
export * from './events.js'

export const leadershipStream = (role: string): string => `leadership-${role}`
