/**
 * The inbound listener in a process of its own (forked by a test), so that its memory can be read
 * without the test's own allocations in it. It tells its port over IPC, then answers each 'peak'
 * message with its peak resident set size so far, in bytes.
 */
import { pino } from 'pino';
import { parseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { startInboundListener } from '../../src/inbound/smtp-listener.js';
import { Queues } from '../../src/queue/queues.js';
import { createRedis } from '../../src/queue/redis-connection.js';

const config = parseConfig(process.env);
const database = openDatabase(config.DATABASE_URL, { poolSize: 2 });
const redis = createRedis(config.REDIS_URL, 'producer');
const queues = new Queues(redis, config.REDIS_PREFIX);
const listener = await startInboundListener(config, { db: database.db, queues, redis, log: pino({ level: 'silent' }) });

const peakRss = () => process.resourceUsage().maxRSS * 1024;
process.on('message', (message) => {
  if (message === 'peak') process.send!({ peakRss: peakRss() });
  if (message === 'stop') {
    void listener
      .close()
      .then(() => queues.close())
      .then(() => database.close())
      .finally(() => process.exit(0));
  }
});
process.send!({ port: listener.port, peakRss: peakRss() });
