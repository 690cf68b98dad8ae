export * from './decider.js'
export * from './events.js'

export const productKeyStream = (productId: string): string => `productKey-${productId}`
