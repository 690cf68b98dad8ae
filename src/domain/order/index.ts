export * from './commands.js'
export * from './decider.js'
export * from './errors.js'
export * from './events.js'
export * from './state.js'
export * from './terms.js'

export const orderStream = (orderId: string): string => `order-${orderId}`
export * from './counters.js'
export * from './license-events.js'
export * from './license-update.js'
