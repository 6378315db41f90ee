#!/usr/bin/env node
// Entry point of the `capture-proxy` program: runs the compiled proxy (built by `npm ci` through `prepare`).
require('../dist/src/capture-proxy/main.js').runCli();
