/** The logger of a process (worker, inbound listener): one shape everywhere, errors without query parameters. */
import { pino, type DestinationStream, type Logger } from 'pino';
import { serializeErrorSafely } from './safe-errors.js';

export function createLogger(level: string, processName: string, destination?: DestinationStream): Logger {
  const options = { level, base: { process: processName }, serializers: { err: serializeErrorSafely } };
  return destination ? pino(options, destination) : pino(options);
}
