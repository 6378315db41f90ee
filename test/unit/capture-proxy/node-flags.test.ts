/**
 * The proxy's node flags: node accepts them, and every launcher of the proxy that cannot import the list
 * (the program's first line, the container's entrypoint) passes exactly these.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROXY_NODE_FLAGS, proxyNodeFlagsInEffect } from '../../../src/capture-proxy/node-flags';

const root = join(__dirname, '../../..');

describe('capture proxy node flags', () => {
  it('are accepted by node, and seen from inside the process they are given to', () => {
    // WHEN node runs with the flags and reports its own command line
    const seen = execFileSync(process.execPath, [...PROXY_NODE_FLAGS, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { encoding: 'utf8' });

    // THEN it started, and the check finds them there but not on a bare command line
    expect(proxyNodeFlagsInEffect(JSON.parse(seen) as string[])).toBe(true);
    expect(proxyNodeFlagsInEffect([])).toBe(false);
  });

  it('are the ones the program and its container image start node with', () => {
    // GIVEN the program's first line and the image's entrypoint
    const shebang = readFileSync(join(root, 'bin/capture-proxy.js'), 'utf8').split('\n')[0];
    const entrypoint = /^ENTRYPOINT (.*)$/m.exec(readFileSync(join(root, 'docker/capture-proxy/Dockerfile'), 'utf8'))?.[1];

    // THEN both pass exactly the flags, before the program
    expect(shebang).toBe(`#!/usr/bin/env -S node ${PROXY_NODE_FLAGS.join(' ')}`);
    expect(JSON.parse(entrypoint ?? 'null')).toEqual(['node', ...PROXY_NODE_FLAGS, 'bin/capture-proxy.js']);
  });
});
