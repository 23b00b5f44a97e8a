/**
 * Start-up problems an operator can fix without reading a stack trace: the entry point prints the
 * message alone and exits non-zero (see run-main.ts).
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * A failed `listen` as one line naming the port and the variable that chose it. Anything else
 * (not a listen error) is returned unchanged, so it keeps its stack trace.
 */
export function explainListenError(error: Error, where: { host: string; port: number; variable: string; hostVariable: string }): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const at = `${where.host}:${where.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(
        `Port ${where.port} on ${where.host} is already in use (${where.variable}). ` +
          `Stop the process using it (e.g. 'lsof -i :${where.port}') or set ${where.variable} to a free port.`,
      );
    case 'EACCES':
      return new StartupError(
        `Not allowed to listen on ${at} (${where.variable}): ports below 1024 need privileges. Set ${where.variable} to 1024 or above.`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new StartupError(
        `Cannot listen on ${at}: ${where.host} is not an address of this machine (${where.hostVariable}). ` +
          `Set ${where.hostVariable} to 127.0.0.1, 0.0.0.0 or one of this machine's addresses.`,
      );
    default:
      return error;
  }
}
