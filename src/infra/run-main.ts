/**
 * Entry-point wrapper: a known start-up problem (bad configuration, a service down) prints its one
 * line and exits 1; anything else is a bug and keeps its stack trace.
 */
import { ConfigError } from '../config.js';
import { UnreachableServiceError } from './reachability.js';

export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UnreachableServiceError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  }
}
