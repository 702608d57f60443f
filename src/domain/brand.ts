declare const brand: unique symbol;
/** A nominal type: a `Revision` cannot be passed where a plain number is meant by accident. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type Revision = Brand<number, 'Revision'>;
export type ServiceId = Brand<string, 'ServiceId'>;

export const asRevision = (value: number): Revision => value as Revision;
export const asServiceId = (value: string): ServiceId => value as ServiceId;
