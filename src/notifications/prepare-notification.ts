/**
 * An organiser notification from the ledger, ready to send, or why it is not sent: what it was
 * about is gone, or the owner's address is suppressed everywhere (a hard bounce, a complaint).
 */
import type { Executor } from '../db/client.js';
import type { transactionalMessages } from '../db/schema.js';
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import { findSuppression } from '../suppressions/suppressions.js';
import { loadNotificationContext } from './notification-context.js';
import { composeNotificationMail, type NotificationOptions } from './notification-mail.js';

export type PreparedMail = { mail: OutgoingMail } | { skipped: string };

export async function prepareNotification(
  db: Executor,
  message: typeof transactionalMessages.$inferSelect,
  options: NotificationOptions,
): Promise<PreparedMail> {
  if (!message.recipient) return { skipped: 'no recipient' };
  const suppression = await findSuppression(db, message.recipient, null);
  if (suppression) return { skipped: `suppressed (${suppression.reason})` };
  const context = await loadNotificationContext(db, message);
  if (!context) return { skipped: 'what it told of no longer exists' };
  return { mail: composeNotificationMail(message.id, message.recipient, context, options) };
}
