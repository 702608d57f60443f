/** The service-package tools the server door offers, loaded on first use by entry-points.ts. */
export { buildPackage, verifyPackage } from '../deploy/index.js';
