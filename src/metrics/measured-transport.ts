/**
 * Counts every SMTP answer and times every send, whatever sent it (broadcast, one-to-one mail, the
 * letter to the target), by wrapping the one MailTransport a worker process has.
 */
import type { MailTransport } from '../mail/mail-transport.js';
import type { MailMetrics, SmtpReplyClass } from './process-metrics.js';

function classOf(error: unknown): SmtpReplyClass {
  const code = (error as { responseCode?: unknown } | undefined)?.responseCode;
  if (typeof code === 'number' && code >= 400 && code < 500) return '4xx';
  if (typeof code === 'number' && code >= 500 && code < 600) return '5xx';
  return 'connection';
}

export function measureTransport(transport: MailTransport, metrics: MailMetrics): MailTransport {
  return {
    async send(mail, returnPath) {
      const stopTimer = metrics.sendSeconds.startTimer();
      try {
        const accepted = await transport.send(mail, returnPath);
        metrics.smtpReplies.inc({ class: '2xx' });
        stopTimer({ class: '2xx' });
        return accepted;
      } catch (error) {
        const replyClass = classOf(error);
        metrics.smtpReplies.inc({ class: replyClass });
        stopTimer({ class: replyClass });
        throw error;
      }
    },
    warm: () => transport.warm(),
    close: () => transport.close(),
  };
}
