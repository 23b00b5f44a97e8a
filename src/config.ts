/**
 * The one place the environment is read. API, workers and CLI all call `loadConfig()` so a value
 * means the same thing in every process; bad values stop start-up with one line naming every one of
 * them (fixing them one start at a time is slow), rather than surfacing later as a confusing
 * connection error deep inside a driver.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65535);
const positiveInt = z.coerce.number({ error: 'must be a whole number' }).int().positive();

function urlWithScheme(...schemes: string[]) {
  return z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` },
    );
}

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
    message: 'must be a domain name such as replies.example.org',
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  DATABASE_URL: urlWithScheme('postgres', 'postgresql'),
  DATABASE_POOL_SIZE: positiveInt.max(200).default(10),
  REDIS_URL: urlWithScheme('redis', 'rediss'),
  REDIS_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be 1-64 letters, digits, dot, dash or underscore' })
    .default('cl'),
  SMTP_URL: urlWithScheme('smtp', 'smtps'),
  MAIL_FROM: z.email({ message: 'must be an email address such as campaigns@example.org' }),
  PUBLIC_BASE_URL: urlWithScheme('http', 'https').transform((value) => value.replace(/\/+$/, '')),
  INBOUND_DOMAIN: domainName,
  SECRET_KEY: z
    .string()
    .min(32, { message: 'must be at least 32 characters (e.g. `openssl rand -base64 48`)' }),
  SIGNUP_RATE_LIMIT_PER_MINUTE: positiveInt.default(10),
  SIGNUP_EMAIL_RATE_LIMIT_PER_HOUR: positiveInt.default(5),
  CONFIRMATION_RESEND_MINUTES: positiveInt.default(5),
  CONFIRM_LINK_TTL_HOURS: positiveInt.default(72),
  PRIVACY_LINK_TTL_HOURS: positiveInt.default(24),
  SESSION_IDLE_MINUTES: positiveInt.default(120),
  SESSION_MAX_HOURS: positiveInt.default(12),
  SIGN_IN_EMAIL_RATE_LIMIT_PER_HOUR: positiveInt.default(5),
  SIGN_IN_RATE_LIMIT_PER_HOUR: positiveInt.default(30),
  SMTP_POOL_SIZE: positiveInt.max(50).default(5),
  SMTP_TIMEOUT_SECONDS: positiveInt.max(600).default(30),
  MAIL_RATE_PER_SECOND: z.coerce.number({ error: 'must be a number' }).int().min(0).default(0),
  BROADCAST_PARALLELISM: positiveInt.max(64).default(4),
  DELIVERY_MAX_ATTEMPTS: positiveInt.max(50).default(8),
  DELIVERY_STALE_SECONDS: positiveInt.default(10),
  DELIVERY_RETRY_BASE_SECONDS: positiveInt.default(30),
  SWEEP_INTERVAL_SECONDS: positiveInt.default(60),
  ERROR_BUDGET: z.coerce.number({ error: 'must be a number between 0 and 1' }).gt(0).max(1).default(0.5),
  ERROR_BUDGET_MIN_ATTEMPTS: positiveInt.default(50),
  // Soft bounces (4.x.x failures reported after acceptance) from this many messages within the window suppress the address.
  SOFT_BOUNCE_LIMIT: positiveInt.default(3),
  SOFT_BOUNCE_WINDOW_DAYS: positiveInt.default(30),
  DKIM_DOMAIN: domainName.optional(),
  DKIM_SELECTOR: z.string().trim().regex(/^[A-Za-z0-9._-]{1,63}$/, { message: 'must be a DNS label such as mail2026' }).optional(),
  DKIM_PRIVATE_KEY: z
    .string()
    .transform((value) => value.replace(/\\n/g, '\n'))
    .refine((value) => value.includes('PRIVATE KEY-----'), { message: 'must be a PEM private key' })
    .optional(),
  INBOUND_SMTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  // 0 picks any free port (tests).
  INBOUND_SMTP_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(2525),
  INBOUND_MAX_BYTES: positiveInt.default(25 * 1024 * 1024),
  INBOUND_MAX_CLIENTS: positiveInt.default(50),
  // Intake limits: a client or sender over its count gets a 4xx and retries later.
  INBOUND_MAX_CONNECTIONS_PER_CLIENT: positiveInt.default(10),
  INBOUND_CLIENT_MESSAGES_PER_HOUR: positiveInt.default(600),
  INBOUND_SENDER_MESSAGES_PER_HOUR: positiveInt.default(60),
  INBOUND_RETENTION_DAYS: positiveInt.default(30),
  INBOUND_MAX_ATTEMPTS: positiveInt.max(50).default(8),
  INBOUND_MAX_ATTACHMENTS: positiveInt.default(20),
  INBOUND_MAX_ATTACHMENT_BYTES: positiveInt.default(15 * 1024 * 1024),
  INBOUND_TLS_KEY_FILE: z.string().trim().min(1).optional(),
  INBOUND_TLS_CERT_FILE: z.string().trim().min(1).optional(),
  INBOUND_REQUIRE_DMARC: booleanFlag.default(true),
  INBOUND_HMAC_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  WORKER_CONCURRENCY: positiveInt.max(100).default(4),
  // Where the letter to the target finds its fonts (Debian's layout: fonts-noto-core, fonts-noto-cjk, fonts-dejavu-core).
  LETTER_FONT_DIR: z.string().trim().min(1).default('/usr/share/fonts'),
  ORGANISER_LOGO_MAX_BYTES: positiveInt.max(10 * 1024 * 1024).default(512 * 1024),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(30_000),
  TRUST_PROXY: booleanFlag.default(false),
  SWAGGER_UI: booleanFlag.default(true),
  // Workers and the inbound listener serve /metrics on this port when it is set (0 picks any free port: tests).
  METRICS_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  METRICS_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
});

/** The value .env.example ships with: fine on a laptop, refused in production. */
export const EXAMPLE_SECRET_KEY = 'local-development-secret-change-me-in-production';

export type Config = Readonly<z.output<typeof envSchema>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment (by default `process.env`) into a frozen, typed configuration. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty string in a .env file means "not set", so defaults apply.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = envSchema.safeParse(present);
  const problems = new Map<string, string>();
  const describe = (variable: string, message: string, explainWhenMissing = false) => {
    if (problems.has(variable)) return;
    const value = present[variable];
    // Secrets, and URLs that may carry passwords, are never echoed.
    const sensitive = variable.endsWith('_URL') || /SECRET|PASSWORD|KEY|TOKEN/.test(variable);
    const shown = value === undefined || sensitive ? '' : ` (got "${value}")`;
    const missing = `${variable} is missing${explainWhenMissing ? `: ${message}` : ''}`;
    problems.set(variable, value === undefined ? missing : `${variable} is invalid: ${message}${shown}`);
  };
  for (const issue of result.error?.issues ?? []) describe(String(issue.path[0] ?? 'environment'), issue.message);
  // Checked on the raw values, so they are reported alongside any other problem rather than after it.
  if (present.NODE_ENV === 'production' && present.SECRET_KEY === EXAMPLE_SECRET_KEY) {
    describe('SECRET_KEY', 'is the example value from .env.example; set a secret of your own in production');
  }
  const dkimParts = [present.DKIM_DOMAIN, present.DKIM_SELECTOR, present.DKIM_PRIVATE_KEY].filter(Boolean).length;
  if (dkimParts % 3 !== 0) {
    describe('DKIM_PRIVATE_KEY', 'DKIM needs all three of DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY, or none', true);
  }
  if (!result.success || problems.size > 0) {
    const list = [...problems.values()];
    const heading = list.length === 1 ? 'Configuration error' : `Configuration errors (${list.length})`;
    throw new ConfigError(`${heading}: ${list.join('; ')}. See .env.example.`);
  }
  return Object.freeze(result.data);
}

/** Reads `.env` from the working directory when there is one; real environment variables win. */
export function loadConfig(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return parseConfig(process.env);
}

/** A URL safe to print: the password, if any, replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
