/**
 * Graceful shutdown shared by the API and the worker: the first SIGTERM/SIGINT starts an orderly
 * close; if that takes longer than the timeout (a stuck job, a hung connection), or a second signal
 * arrives, the process exits anyway, so an orchestrator is never left waiting.
 */
interface ShutdownLogger {
  info(msg: string): void;
  error(obj: object, msg: string): void;
}

export function onShutdownSignal(timeoutMs: number, log: ShutdownLogger, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      log.info(`${signal} again: exiting now`);
      process.exit(1);
    }
    closing = true;
    log.info(`${signal} received: finishing in-flight work, then exiting`);
    const timer = setTimeout(() => {
      log.error({ timeoutMs }, 'graceful shutdown timed out: exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        log.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
