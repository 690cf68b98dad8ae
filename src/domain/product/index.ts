export * from './decider.js'
export * from './events.js'

export const productStream = (productId: string): string => `product-${productId}`
