import { describe, expect, it } from 'vitest';
import { broadcastMessageId, deterministicMessageId, parseBroadcastMessageId } from '../../src/mail/message-id.js';

const broadcastId = '0b7c3a52-9a55-4c07-9a2e-7c1d2f1b6a10';
const supporterId = 'f3e1d2c4-5b6a-4789-8abc-def012345678';

describe('Message-IDs', () => {
  it('are derived from the ledger row and the sending domain, the same every time', () => {
    expect(deterministicMessageId('confirmation', 'abc', 'campaigns@una.org.example')).toBe('<confirmation.abc@una.org.example>');
    expect(broadcastMessageId(broadcastId, supporterId, 'campaigns@una.org.example')).toBe(
      broadcastMessageId(broadcastId, supporterId, 'campaigns@una.org.example'),
    );
  });

  it('lead a delivery report back to the delivery they name', () => {
    const messageId = broadcastMessageId(broadcastId, supporterId, 'campaigns@una.org.example');
    expect(parseBroadcastMessageId(messageId)).toEqual({ broadcastId, supporterId });
  });

  it('name no delivery when they are someone else’s or another kind of ours', () => {
    expect(parseBroadcastMessageId('<CAF=abc123@mail.gmail.com>')).toBeUndefined();
    expect(parseBroadcastMessageId(deterministicMessageId('letter-copy', supporterId, 'a@b.example'))).toBeUndefined();
    expect(parseBroadcastMessageId(`<broadcast.${broadcastId}.not-a-uuid@b.example>`)).toBeUndefined();
    expect(parseBroadcastMessageId(`<broadcast.${broadcastId}@b.example>`)).toBeUndefined();
  });
});
