/**
 * The address of an organiser's logo. The content hash in the query makes each version its own URL,
 * so the image can be cached for long and a new logo still shows at once.
 */
export function logoPath(organiserId: string, sha256: string): string {
  return `/organisers/${organiserId}/logo?v=${sha256.slice(0, 16)}`;
}

/** Absolute, for mail and for link previews (Open Graph), which resolve nothing relative. */
export function logoUrl(publicBaseUrl: string, organiserId: string, sha256: string): string {
  return `${publicBaseUrl}${logoPath(organiserId, sha256)}`;
}
