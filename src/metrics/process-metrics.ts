/**
 * The metrics a process keeps in its own memory: what only it saw (an SMTP server's answers, how long
 * they took, the verdict on an inbound message, a sign-up). Each process has its own registry, so the
 * API, workers and the inbound listener can share one Node process in tests without mixing figures;
 * Prometheus adds them up across processes (`sum(rate(…))`).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** A registry with the default process metrics (CPU, memory, event-loop lag, GC, handles). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export type SmtpReplyClass = '2xx' | '4xx' | '5xx' | 'connection';

export interface MailMetrics {
  smtpReplies: Counter<'class'>;
  sendSeconds: Histogram<'class'>;
}

export function registerMailMetrics(registry: Registry): MailMetrics {
  return {
    smtpReplies: new Counter({
      name: 'campaign_letters_smtp_replies_total',
      help: "Answers of our SMTP server to this process's sends, by class (2xx accepted, 4xx, 5xx, connection: no answer)",
      labelNames: ['class'],
      registers: [registry],
    }),
    sendSeconds: new Histogram({
      name: 'campaign_letters_smtp_send_duration_seconds',
      help: 'Time from handing a message to the SMTP connection pool until its answer, by class',
      labelNames: ['class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export type InboundVerdict = 'trusted' | 'held' | 'bounce' | 'complaint' | 'duplicate' | 'ignored' | 'failed';

/** A counter with one label, in this process's registry. */
function labelledCounter<L extends string>(registry: Registry, name: string, help: string, label: L): Counter<L> {
  return new Counter({ name, help, labelNames: [label], registers: [registry] });
}

export function registerInboundVerdicts(registry: Registry): Counter<'verdict'> {
  return labelledCounter(
    registry,
    'campaign_letters_inbound_processed_total',
    'Inbound messages this worker made sense of, by verdict (trusted, held, bounce, complaint, duplicate, ignored, failed)',
    'verdict',
  );
}

/** Delivery reports and complaints recorded, by kind: hard_bounce, soft_bounce, delayed, complaint. */
export function registerDeliveryReports(registry: Registry): Counter<'kind'> {
  return labelledCounter(
    registry,
    'campaign_letters_delivery_reports_total',
    'Delivery reports and complaints this worker recorded, by kind (hard_bounce, soft_bounce, delayed, complaint)',
    'kind',
  );
}

export type InboundSmtpResult = 'accepted' | 'recipient_refused' | 'too_large' | 'not_stored' | 'too_many_connections' | 'too_many_messages';

export function registerInboundSmtp(registry: Registry): Counter<'result'> {
  return labelledCounter(
    registry,
    'campaign_letters_inbound_smtp_total',
    'What the inbound listener answered: accepted (stored, 250), recipient_refused (550 at RCPT), too_large (552), not_stored (451), too_many_connections (421), too_many_messages (451 at MAIL FROM)',
    'result',
  );
}

export interface SignupMetrics {
  signups: Counter;
  confirmations: Counter;
}

export function registerSignupMetrics(registry: Registry): SignupMetrics {
  return {
    signups: new Counter({
      name: 'campaign_letters_signups_total',
      help: 'First signatures recorded by this API process (repeat sign-ups and honeypot hits excluded)',
      registers: [registry],
    }),
    confirmations: new Counter({
      name: 'campaign_letters_confirmations_total',
      help: 'Signatures confirmed by this API process (double opt-in completed)',
      registers: [registry],
    }),
  };
}
