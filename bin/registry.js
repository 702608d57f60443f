#!/usr/bin/env node
// The `registry` executable: runs the compiled CLI in dist/ (`npm run build`; `npm ci` builds it through `prepare`).
const main = new URL('../dist/cli/main.js', import.meta.url);
try {
  await import(main.href);
} catch (error) {
  // Only the CLI itself missing is "not built"; a module the CLI cannot find is a real fault.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(main.pathname)) throw error;
  process.stderr.write(`registry: ${main.pathname} is missing: build the package first (npm run build; npm ci does it)\n`);
  process.exitCode = 1;
}
