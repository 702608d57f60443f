/** @module health/probes — one probe per check kind; each resolves (never rejects) within the check's timeout. */
export { type ProbeContext } from './context.js';
export { probeHttp } from './http.js';
export { probeScript } from './script.js';
export { probeTcp } from './tcp.js';
export { probeTls } from './tls.js';
export { probeWs } from './ws.js';
