// Event schema versions. Every stored event records the schema version of its
// data; an event written by an older version is upcast, step by step, to the
// current one when read. Stored events are never rewritten.
export type Upcaster = (data: unknown) => unknown

export interface EventSchemas<Type extends string> {
  /** The current schema version of each event type. */
  readonly versions: Readonly<Record<Type, number>>
  /** For a type, the step from version n to n + 1, keyed by n. */
  readonly upcasters: Readonly<Partial<Record<Type, Readonly<Record<number, Upcaster>>>>>
}

export type UpcastError =
  | { readonly _tag: 'UnknownEventType'; readonly type: string }
  | { readonly _tag: 'MissingUpcaster'; readonly type: string; readonly fromVersion: number }
  | { readonly _tag: 'FutureSchemaVersion'; readonly type: string; readonly version: number; readonly current: number }

/** Brings stored data to the current schema version, or says why it cannot. */
export const upcast = <Type extends string>(
  schemas: EventSchemas<Type>,
  type: string,
  version: number,
  data: unknown,
): { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly error: UpcastError } => {
  if (!Object.prototype.hasOwnProperty.call(schemas.versions, type)) {
    return { ok: false, error: { _tag: 'UnknownEventType', type } }
  }
  const current = schemas.versions[type as Type]
  if (version > current) return { ok: false, error: { _tag: 'FutureSchemaVersion', type, version, current } }
  let upcasted = data
  for (let v = version; v < current; v += 1) {
    const step = schemas.upcasters[type as Type]?.[v]
    if (step === undefined) return { ok: false, error: { _tag: 'MissingUpcaster', type, fromVersion: v } }
    upcasted = step(upcasted)
  }
  return { ok: true, data: upcasted }
}
