import { describe, expect, it } from 'vitest';
import { broadcastMessageId, broadcastMessageIdPrefix, deterministicMessageId } from '../../src/mail/message-id.js';

const broadcastId = '0b7c3a52-9a55-4c07-9a2e-7c1d2f1b6a10';
const supporterId = 'f3e1d2c4-5b6a-4789-8abc-def012345678';
const SECRET = 'a-secret-of-at-least-thirty-two-characters';

describe('Message-IDs', () => {
  it('are derived from the ledger row and the sending domain, the same every time', () => {
    expect(deterministicMessageId('confirmation', 'abc', 'campaigns@una.org.example')).toBe('<confirmation.abc@una.org.example>');
    expect(broadcastMessageId(broadcastId, supporterId, 'campaigns@una.org.example', SECRET)).toBe(
      broadcastMessageId(broadcastId, supporterId, 'campaigns@una.org.example', SECRET),
    );
  });

  it('of a broadcast delivery name neither the broadcast nor the supporter, and differ per pair and per secret', () => {
    const messageId = broadcastMessageId(broadcastId, supporterId, 'campaigns@una.org.example', SECRET);
    expect(messageId).toMatch(/^<broadcast\.[0-9a-f]{16}\.[0-9a-f]{24}@una\.org\.example>$/);
    expect(messageId.startsWith(broadcastMessageIdPrefix(broadcastId, SECRET))).toBe(true);
    for (const id of [broadcastId, supporterId]) {
      expect(messageId).not.toContain(id);
      expect(messageId).not.toContain(id.replace(/-/g, ''));
    }
    expect(broadcastMessageId(supporterId, broadcastId, 'campaigns@una.org.example', SECRET)).not.toBe(messageId);
    expect(broadcastMessageId(broadcastId, supporterId, 'campaigns@una.org.example', `${SECRET}!`)).not.toBe(messageId);
  });
});
