/**
 * `{ ...value, ...extra }` as a new object, for the hot paths; `extra` adds keys (it never changes
 * a key's type). On Node 20 an object literal that starts with a spread and then adds keys gets a
 * hidden class V8 cannot share (detached from the transition tree): each object made so costs a
 * fresh map, about 0.5 µs per added key, and megamorphic reads wherever it travels.
 * `Object.assign` onto an empty literal walks the shared transition tree instead
 * (docs/ARCHITECTURE.md, "Hot paths").
 */
export const extended = <T extends object, E extends object>(value: T, extra: E): T & E => Object.assign({}, value, extra);
