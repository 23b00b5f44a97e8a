/**
 * One process of the ceiling: nodemailer's pooled transport sending a ready-made message straight
 * to the sink, with no database, queue or rendering. The benchmark starts as many of these as it
 * runs workers, with the same pool size, so the ceiling uses the same cores and connections.
 *
 * Talks to the benchmark over IPC: says 'ready', waits for 'go', sends its share, says 'done', and
 * exits when the benchmark stops it.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

const message = JSON.parse(readFileSync(process.env.CEILING_MESSAGE_FILE!, 'utf8')) as {
  from: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  unsubscribeUrl: string;
};
const first = Number(process.env.CEILING_FIRST);
const count = Number(process.env.CEILING_COUNT);
const connections = Number(process.env.SMTP_POOL_SIZE);

const transport = nodemailer.createTransport({ url: process.env.SMTP_URL, pool: true, maxConnections: connections });

async function sendShare() {
  let next = first;
  const end = first + count;
  // As many messages in flight as the workers keep: two per pooled connection.
  await Promise.all(
    Array.from({ length: connections * 2 }, async () => {
      while (next < end) {
        const n = next++;
        await transport.sendMail({
          from: message.from,
          to: { name: `Supporter ${n}`, address: `bench-${n}@example.org` },
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<ceiling.${n}@example.org>`,
          envelope: { from: message.from.address, to: `bench-${n}@example.org` },
          list: { unsubscribe: message.unsubscribeUrl },
          headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
      }
    }),
  );
}

process.once('message', () => {
  void sendShare().then(
    () => {
      transport.close();
      // Stays up until the benchmark has read its CPU time and stops it.
      process.send!('done');
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.once('SIGTERM', () => process.exit(0));
process.send!('ready');
