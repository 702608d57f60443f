/** Reading events the client hands out (the wire shape) in tests. */
import type { StreamedEvent } from '../../src/client/index.js';

/** The name of the service whose record an event carries, if it carries one. */
export const serviceOf = (event: StreamedEvent): string | undefined =>
  'service' in event.data && typeof event.data.service === 'object' ? event.data.service.name : undefined;
