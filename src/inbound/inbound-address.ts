/** The addresses the inbound listener accepts mail for: reply+<campaign token>@INBOUND_DOMAIN, bounce+<return path token>@… */
export type InboundAddress = { kind: 'reply'; token: string } | { kind: 'bounce'; token: string };

export function parseInboundAddress(address: string, inboundDomain: string): InboundAddress | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== inboundDomain.toLowerCase()) return undefined;
  // Mail systems may change the letter case of a whole address (Reply+…@, REPLY+…@): like the domain, the prefix is read in any case.
  const match = /^(reply|bounce)\+([A-Za-z0-9._-]{1,100})$/i.exec(address.slice(0, at));
  if (!match) return undefined;
  return { kind: match[1]!.toLowerCase() === 'reply' ? 'reply' : 'bounce', token: match[2]!.toLowerCase() };
}
