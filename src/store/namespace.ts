// This engine's streams on a shared EventStoreDB. The port's stream names are
// logical (`order-<id>`); on the server each carries a prefix, so the
// subscription to $all asks the server for this engine's streams only and
// another application's events are never seen, let alone decoded.

/** The categories of the streams written, unprefixed, before stream prefixes; logs from then keep those names. */
export const LEGACY_CATEGORIES = [
  'activationKey',
  'apiKey',
  'customer',
  'idempotency',
  'lockout',
  'order',
  'product',
  'productTemplate',
  'sequence',
  'webhookEndpoint',
] as const

export interface StreamNamespaceSettings {
  /** Ends in `.`, `:` or `_` (config.ts checks), and never in `-`, so no legacy name starts with it by accident. */
  readonly prefix: string
  /** Keep the legacy categories' streams under their unprefixed names. */
  readonly legacy: boolean
}

export interface StreamNamespace {
  /** The name a logical stream has on the server. */
  readonly stored: (logical: string) => string
  /** The logical name of a stream on the server; null when it is not one of this engine's. */
  readonly logical: (stored: string) => string | null
  /** The stream-name prefixes that select exactly this engine's streams (the server-side filter). */
  readonly prefixes: readonly string[]
}

export const streamNamespace = ({ prefix, legacy }: StreamNamespaceSettings): StreamNamespace => {
  const legacyPrefixes = legacy ? LEGACY_CATEGORIES.map((category) => `${category}-`) : []
  const isLegacy = (name: string): boolean => legacyPrefixes.some((start) => name.startsWith(start))
  return {
    stored: (logical) => (isLegacy(logical) ? logical : `${prefix}${logical}`),
    // Legacy first: with a prefix such as `product_`, `productTemplate-1` is a legacy name, not `Template-1`.
    logical: (stored) => {
      if (isLegacy(stored)) return stored
      if (!stored.startsWith(prefix)) return null
      const logical = stored.slice(prefix.length)
      // A legacy category under the prefix was never written by this engine.
      return isLegacy(logical) ? null : logical
    },
    prefixes: [prefix, ...legacyPrefixes],
  }
}
