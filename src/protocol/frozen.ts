/**
 * A wire type, readonly all the way down: what an encoder may return. The domain's records hold
 * readonly arrays and maps, and an encoder hands them out as they are rather than copying them.
 */
export type Frozen<T> = T extends readonly (infer E)[]
  ? readonly Frozen<E>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;
