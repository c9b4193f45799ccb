const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Plain text made safe for a client that renders some replies as HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/** The one HTML reply: a template whose every part is escaped, with a link in place of `{surveyLink}`. */
export function surveyLinkHtml(template: string, url: string, linkText: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new Error(`survey URL must be http(s): ${url}`);
  const anchor = `<a href="${escapeHtml(parsed.toString())}" target="_blank" rel="noopener noreferrer">${escapeHtml(linkText)}</a>`;
  return template
    .split('{surveyLink}')
    .map((part) => escapeHtml(part))
    .join(anchor);
}
