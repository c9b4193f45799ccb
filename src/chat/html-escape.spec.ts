import { escapeHtml, surveyLinkHtml } from './html-escape';

describe('html escaping', () => {
  it('escapes markup characters', () => {
    expect(escapeHtml('<img src=x onerror="alert(1)"> & \'q\'')).toBe(
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;q&#39;',
    );
  });

  it('builds the survey link from an escaped template', () => {
    const html = surveyLinkHtml('Thanks <b>! {surveyLink}', 'https://s.example.org/a?x=1&y="2"', 'open <it>');
    expect(html).toBe(
      'Thanks &lt;b&gt;! <a href="https://s.example.org/a?x=1&amp;y=%222%22" target="_blank" rel="noopener noreferrer">open &lt;it&gt;</a>',
    );
  });

  it('refuses a non-http survey URL', () => {
    expect(() => surveyLinkHtml('{surveyLink}', 'javascript:alert(1)', 'x')).toThrow(/http/);
  });
});
