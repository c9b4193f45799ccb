const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe inside an HTML attribute value (the survey link's `href`): quotes escaped too. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/**
 * Plain text made safe for a client that renders some replies as HTML, as element content: `&`, `<` and `>` are
 * all that markup there needs. Quotes and apostrophes stay as they are, so a page that shows the reply as text
 * shows "I'm" rather than "I&#39;m".
 */
export function escapeHtmlText(text: string): string {
  return text.replace(/[&<>]/g, (char) => ENTITIES[char]);
}

/** The one HTML reply: a template whose every part is escaped, with a link in place of `{surveyLink}`. */
export function surveyLinkHtml(template: string, url: string, linkText: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new Error(`survey URL must be http(s): ${url}`);
  const anchor = `<a href="${escapeHtml(parsed.toString())}" target="_blank" rel="noopener noreferrer">${escapeHtmlText(linkText)}</a>`;
  return template
    .split('{surveyLink}')
    .map((part) => escapeHtmlText(part))
    .join(anchor);
}
