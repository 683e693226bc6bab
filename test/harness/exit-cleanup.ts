// Runs a cleanup when the test process ends without its stop() (a crash, a forgotten hook, a signal).

/**
 * Calls `cleanup` on 'exit' and on SIGINT/SIGTERM/SIGHUP. A signal kills the process without 'exit': when nobody else
 * handles it, clean up and die of it as before; when somebody does (a CLI stopping gracefully), leave it to them.
 */
export function onProcessEnd(cleanup: () => void): void {
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return;
      cleanup();
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
