#!/usr/bin/env -S node --initial-old-space-size=64
// Entry point of the `capture-proxy` program: runs the compiled proxy (built by `npm ci` through `prepare`).
// The first line passes the proxy's node flags (src/capture-proxy/node-flags.ts), which NODE_OPTIONS cannot.
require('../dist/src/capture-proxy/main.js').runCli();
