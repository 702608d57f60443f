/** @module client — RegistryClient: a typed connection to a registry server over TLS WebSockets. */
export { DEFAULT_LIST_PAGE_SIZE, type InputFor, type ListFilters, type ListPaging, RegistryClient } from './client.js';
export { actionNames, type OutputFor } from './answers.js';
export {
  DEFAULT_RECONNECT_BASE_MS,
  DEFAULT_RECONNECT_MAX_MS,
  type StreamedEvent,
  type StreamStatus,
  type SubscribeOptions,
} from './event-stream.js';
export { EventStream } from './subscription.js';
export { type MetricFamily, MetricsFormatError, type MetricSample, type MetricType, parseMetricsText, sampleSum } from './metrics-text.js';
export {
  type ClientError,
  clientErrors,
  ConnectionClosedError,
  ConnectionFailedError,
  InvalidArgumentError,
  isClientError,
  RequestTimeoutError,
} from './errors.js';
export {
  type ClientOptions,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRIES,
  normaliseFingerprint,
  type ReadConsistency,
  type ResolvedClientOptions,
  resolveClientOptions,
} from './options.js';
