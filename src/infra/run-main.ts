/**
 * Entry-point wrapper: a known start-up problem (bad configuration, a service down, a port taken)
 * prints its one line and exits 1; anything else is a bug and keeps its stack trace. Either way the
 * process exits: connections opened before the failure must not keep a failed start alive.
 */
import { ConfigError } from '../config.js';
import { StartupError } from './startup-error.js';

export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    // stderr is synchronous for files, pipes and terminals on Linux, so the line is out before this.
    process.exit(1);
  }
}
