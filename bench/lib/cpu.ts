// Per-thread CPU time of the running Chromium processes (Linux /proc), to show where a benchmark's time goes:
// e.g. the extension's service worker thread vs the panel's main thread vs the network service.

import { existsSync, readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export type CpuSnapshot = Map<string, number>;

function processLabel(cmdline: string): string {
  const type = /--type=([a-z-]+)/.exec(cmdline)?.[1];
  if (!type) return 'browser';
  if (type === 'utility') return /--utility-sub-type=([a-zA-Z.]+)/.exec(cmdline)?.[1]?.replace(/\.mojom\..*$/, '') ?? 'utility';
  if (type === 'renderer') return cmdline.includes('--extension-process') ? 'renderer(extension)' : 'renderer';
  return type;
}

/** CPU ticks per "<process>/<thread name>[pid]" for every chromium process (whose command line has `only`, if given). */
export function cpuSnapshot(only?: string): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  if (!existsSync('/proc')) return snapshot;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (!/chromium|chrome/.test(cmdline.split(' ')[0] ?? '')) continue;
    if (only !== undefined && !cmdline.includes(only)) continue;
    const label = processLabel(cmdline);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]);
        const key = `${label}/${comm}[${pid}]`;
        snapshot.set(key, (snapshot.get(key) ?? 0) + ticks);
      } catch {
        // The thread ended meanwhile.
      }
    }
  }
  return snapshot;
}

/** The busiest threads between two snapshots, as "name N% " (of one core) over `wallMs`. */
export function cpuReport(before: CpuSnapshot, after: CpuSnapshot, wallMs: number, top = 6): string {
  const rows: [string, number][] = [];
  let total = 0;
  for (const [key, ticks] of after) {
    const delta = ticks - (before.get(key) ?? 0);
    if (delta <= 0) continue;
    total += delta;
    rows.push([key.replace(/\[\d+\]$/, ''), delta]);
  }
  if (!rows.length) return 'no CPU data';
  rows.sort((a, b) => b[1] - a[1]);
  const pct = (ticks: number) => Math.round(((ticks / TICKS_PER_SECOND) * 1000 * 100) / wallMs);
  return `${rows
    .slice(0, top)
    .map(([name, ticks]) => `${name} ${pct(ticks)}%`)
    .join(', ')}; all Chromium threads ${pct(total)}% (of one core; 2 cores = 200%)`;
}

/**
 * CPU milliseconds between two snapshots: `total` over every thread, `main` of the busiest main thread of a renderer
 * that is not an extension's (with DevTools closed: the page's).
 */
export function cpuMs(before: CpuSnapshot, after: CpuSnapshot): { total: number; main: number } {
  let total = 0;
  let main = 0;
  for (const [key, ticks] of after) {
    const delta = ticks - (before.get(key) ?? 0);
    if (delta <= 0) continue;
    total += delta;
    // A main thread carries the process's name (the executable's), unlike the named threads it starts.
    if (/^renderer\/(chromium|chrome)\[/.test(key)) main = Math.max(main, delta);
  }
  const ms = (ticks: number) => (ticks / TICKS_PER_SECOND) * 1000;
  return { total: ms(total), main: ms(main) };
}
