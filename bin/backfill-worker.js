#!/usr/bin/env node
// Entry point of the `backfill-worker` program: runs the compiled worker (built by `npm ci` through `prepare`).
require('../dist/src/backfill/main.js').runCli();
