#!/usr/bin/env node
// Entry point of the `console` program: runs the compiled CLI (built by `npm ci` through `prepare`).
require('../dist/src/console/main.js').runCli();
