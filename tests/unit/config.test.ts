import { describe, expect, it } from 'vitest';
import { ConfigError, EXAMPLE_SECRET_KEY, parseConfig, redactUrl } from '../../src/config.js';

const valid = {
  DATABASE_URL: 'postgres://postgres:s3cret@db:5432/campaign_letters',
  REDIS_URL: 'redis://redis:6379',
  SMTP_URL: 'smtp://mail:1025',
  MAIL_FROM: 'campaigns@example.org',
  PUBLIC_BASE_URL: 'https://letters.example.org/',
  INBOUND_DOMAIN: 'Replies.Example.org',
  SECRET_KEY: 'a-secret-of-at-least-thirty-two-characters',
};

function errorFor(env: Record<string, string | undefined>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('parses a complete environment, applying defaults and normalising', () => {
    const config = parseConfig(valid);
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      LOG_LEVEL: 'info',
      REDIS_PREFIX: 'cl',
      PUBLIC_BASE_URL: 'https://letters.example.org',
      INBOUND_DOMAIN: 'replies.example.org',
      TRUST_PROXY: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats an empty value as unset', () => {
    expect(parseConfig({ ...valid, PORT: '' }).PORT).toBe(3000);
  });

  it.each(Object.keys(valid))('stops with one line naming %s when it is missing', (name) => {
    const message = errorFor({ ...valid, [name]: undefined });
    expect(message).toBe(`Configuration error: ${name} is missing. See .env.example.`);
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://db/campaigns'],
    ['REDIS_URL', 'not a url'],
    ['SMTP_URL', 'http://mail'],
    ['MAIL_FROM', 'campaigns'],
    ['PUBLIC_BASE_URL', 'letters.example.org'],
    ['INBOUND_DOMAIN', 'not a domain'],
    ['REDIS_PREFIX', 'has space'],
    ['TRUST_PROXY', 'maybe'],
  ])('stops with one line naming %s when it is %j', (name, value) => {
    const message = errorFor({ ...valid, [name]: value });
    expect(message.split('\n')).toHaveLength(1);
    expect(message.startsWith(`Configuration error: ${name} is invalid: `)).toBe(true);
  });

  it('refuses a short secret, and the example secret in production', () => {
    const short = errorFor({ ...valid, SECRET_KEY: 'short-secret' });
    expect(short).toContain('SECRET_KEY is invalid: must be at least 32 characters');
    expect(short).not.toContain('short-secret');
    expect(parseConfig({ ...valid, SECRET_KEY: EXAMPLE_SECRET_KEY }).SECRET_KEY).toBe(EXAMPLE_SECRET_KEY);
    expect(errorFor({ ...valid, NODE_ENV: 'production', SECRET_KEY: EXAMPLE_SECRET_KEY })).toContain(
      'SECRET_KEY is invalid: is the example value from .env.example',
    );
  });

  it('never echoes a URL value, which may hold a password', () => {
    const message = errorFor({ ...valid, DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(message).not.toContain('hunter2');
  });

  it('reports every missing or invalid setting at once, in one line naming each', () => {
    const message = errorFor({
      ...valid,
      SMTP_URL: undefined,
      MAIL_FROM: 'campaigns',
      PORT: 'http',
      NODE_ENV: 'production',
      SECRET_KEY: EXAMPLE_SECRET_KEY,
      DKIM_DOMAIN: 'example.org',
    });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^Configuration errors \(5\): /);
    for (const part of [
      'SMTP_URL is missing',
      'MAIL_FROM is invalid: must be an email address',
      'PORT is invalid: must be a port number',
      'SECRET_KEY is invalid: is the example value from .env.example',
      'DKIM_PRIVATE_KEY is missing: DKIM needs all three',
    ]) {
      expect(message).toContain(part);
    }
  });

  it('never echoes METRICS_TOKEN', () => {
    const message = errorFor({ ...valid, METRICS_TOKEN: 'too-short' });
    expect(message).toBe('Configuration error: METRICS_TOKEN is invalid: must be at least 16 characters. See .env.example.');
  });

  it('redacts passwords from URLs it prints', () => {
    expect(redactUrl('postgres://postgres:s3cret@db:5432/x')).toBe('postgres://postgres:***@db:5432/x');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
