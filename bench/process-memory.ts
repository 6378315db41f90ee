/**
 * A process's memory as the benchmarks report it, read from /proc on Linux: its peak RSS (VmHWM, the
 * kernel's high-water mark, so no sampling is needed) and its current RSS (VmRSS). Starting `ps` instead
 * forks the benchmark process, which hosts origins and holds large buffers: five times a second that took
 * CPU from the side being measured. `ps` remains the fallback where /proc is missing (macOS); it gives the
 * current RSS only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // no /proc, or the process has exited
  }
}

function psRssKb(pid: number): number {
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) || 0;
  } catch {
    return 0; // exited
  }
}

/** Current resident memory in KB (0 once the process is gone). */
export function rssKb(pid: number): number {
  return procStatusKb(pid, 'VmRSS') ?? psRssKb(pid);
}

/** Peak resident memory so far in KB; where only `ps` exists, the current value (sample it to find a peak). */
export function peakRssKb(pid: number): number {
  return procStatusKb(pid, 'VmHWM') ?? psRssKb(pid);
}

/** The process and its descendants (a proxy's workers), from /proc; just the process where /proc is missing. */
export function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...children.flatMap(processTree)];
  } catch {
    return [pid];
  }
}

/** Current resident memory of the process and its descendants, in KB. */
export function treeRssKb(pid: number): number {
  return processTree(pid).reduce((sum, member) => sum + rssKb(member), 0);
}

/** The sum of the peaks of the process and its descendants, in KB: an upper bound of their peak together. */
export function treePeakRssKb(pid: number): number {
  return processTree(pid).reduce((sum, member) => sum + peakRssKb(member), 0);
}
