/**
 * V8 flags the capture proxy runs with, and whether they are in effect.
 *
 * `--initial-old-space-size=64`: the proxy's own heap is small (about 8 MB live) while it allocates fast,
 * and V8 starts a full mark-compact whenever the room left under its old-generation limit is smaller than
 * its young generation. With a small heap that room is small too, so under 1 MB bulks at 200 connections V8
 * marked the whole heap about ten times a second, and its GC threads took about 40 % of the proxy's CPU.
 * Starting the old-generation limit at 64 MB keeps that room large; the limit still grows with the heap as
 * before. Measured (`BENCH_NODE_FLAGS=none` in the proxy benchmark, two runs of two rounds each way): full
 * GCs down to three or four a second; proxy CPU per 1 MB bulk 2.67 to 2.10 ms at one connection and 2.98 to
 * 2.62 ms at 200; small GETs unchanged; peak RSS under 200 concurrent bulks 205 to 233 MB.
 *
 * Node accepts these only on its command line (NODE_OPTIONS refuses them), so every way this repository
 * starts the proxy passes them: the first line of `bin/capture-proxy.js`, the container's entrypoint, the
 * demo and the benchmark. A unit test keeps those in step with this list. Worker processes inherit them.
 */
export const PROXY_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];

/** Every flag of `PROXY_NODE_FLAGS` is on this process's command line. */
export function proxyNodeFlagsInEffect(execArgv: readonly string[] = process.execArgv): boolean {
  return PROXY_NODE_FLAGS.every((flag) => execArgv.includes(flag));
}
