import { escapeHtml, escapeHtmlText, surveyLinkHtml } from './html-escape';

describe('html escaping', () => {
  it('escapes markup characters, quotes too for an attribute value', () => {
    expect(escapeHtml('<img src=x onerror="alert(1)"> & \'q\'')).toBe(
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;q&#39;',
    );
  });

  it('escapes what markup needs in element content, and leaves quotes and apostrophes readable', () => {
    expect(escapeHtmlText('<img src=x onerror="alert(1)"> & I\'m "here"')).toBe(
      '&lt;img src=x onerror="alert(1)"&gt; &amp; I\'m "here"',
    );
  });

  it('builds the survey link from an escaped template', () => {
    const html = surveyLinkHtml(
      "Thanks <b>, it's done! {surveyLink}",
      'https://s.example.org/a?x=1&y="2"',
      'open <it>',
    );
    expect(html).toBe(
      'Thanks &lt;b&gt;, it\'s done! <a href="https://s.example.org/a?x=1&amp;y=%222%22" target="_blank" rel="noopener noreferrer">open &lt;it&gt;</a>',
    );
  });

  it('refuses a non-http survey URL', () => {
    expect(() => surveyLinkHtml('{surveyLink}', 'javascript:alert(1)', 'x')).toThrow(/http/);
  });
});
