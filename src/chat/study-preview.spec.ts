import { AppConfig } from '../config/app-config';
import { LABELS } from '../ml/ml.types';
import { ARMS } from './chat.types';
import { StudyContent } from './study-content.provider';
import { armName, previewConversation, shownText, studyPreview } from './study-preview';

const content = new StudyContent(new AppConfig({}));
const basic = content.brand('Basic');

describe('shownText', () => {
  it('shows escaped characters as characters and the survey anchor as its text and target', () => {
    const html =
      'It&#39;s &lt;done&gt; &amp; &quot;saved&quot;: <a href="https://s.test/?a=1&amp;b=2" target="_blank" ' +
      'rel="noopener noreferrer">open the survey</a>';
    expect(shownText(html)).toBe('It\'s <done> & "saved": open the survey <https://s.test/?a=1&b=2>');
  });
});

describe('shownText with a password in the survey link', () => {
  it('masks the password of the survey anchor’s target', () => {
    const html = 'Bye <a href="https://user:p@ss@survey.pilot-study.org/s?a=1&amp;b=2" target="_blank">survey</a>';
    expect(shownText(html)).toBe('Bye survey <https://user:***@survey.pilot-study.org/s?a=1&b=2>');
  });
});

describe('previewConversation', () => {
  const lines = previewConversation(content, { brand: 'Basic', thinkLevel: 'High', feelLevel: 'Low' }, 'A', 1);
  const bot = lines
    .filter((line) => / bot( \(link\))?: /.test(line))
    .map((line) => line.replace(/^.*? bot( \(link\))?: /, ''));

  it('walks a think-High conversation from the greeting to the after-end reply, as participants read it', () => {
    expect(lines[0]).toBe(
      '=== Basic/High/Low · label A · sample conversation 00000001-0000-4000-8000-000000000001 ===',
    );
    expect(bot).toEqual([
      basic.greeting.High,
      ...basic.questions.A,
      basic.understanding.Low,
      basic.closing,
      basic.invalidEmail,
      expect.stringContaining('Your completion code is ABCDEFGHJKMN.'),
      basic.afterEnd,
    ]);
    expect(lines.join('\n')).not.toMatch(/&#39;|&amp;|<a /);
  });

  it('fills the survey link for the sample conversation', () => {
    const link = /<(https:[^>]+)>$/.exec(bot[9])?.[1] as string;
    expect(Object.fromEntries(new URL(link).searchParams)).toEqual({
      conversation: '00000001-0000-4000-8000-000000000001',
      arm: 'Basic-High-Low',
      label: 'A',
      code: 'ABCDEFGHJKMN',
    });
  });

  it('answers think Low with a template paraphrase, then acknowledgements', () => {
    const low = previewConversation(content, { brand: 'Lulu', thinkLevel: 'Low', feelLevel: 'High' }, 'C', 2);
    const replies = low.filter((line) => / bot: /.test(line)).map((line) => line.replace(/^.*? bot: /, ''));
    const template = content.data.paraphrase.templates[2 % content.data.paraphrase.templates.length];
    expect(replies[1]).toBe(template.replace('{summary}', content.data.paraphrase.byLabel.C));
    expect(replies.slice(2, 6)).toEqual([1, 2, 3, 4].map((step) => content.lowEffort(step)));
    expect(replies[6]).toBe(content.brand('Lulu').understanding.High);
  });
});

describe('studyPreview', () => {
  it('holds the 32 conversations of 8 arms × 4 labels by default', () => {
    const preview = studyPreview(content);
    expect(preview.split('\n')[0]).toContain(`Study ${content.version}: 32 conversation(s).`);
    for (const arm of ARMS)
      for (const label of LABELS) expect(preview).toContain(`=== ${armName(arm)} · label ${label} ·`);
  });

  it('holds only the arms and labels asked for', () => {
    const preview = studyPreview(content, [ARMS[5]], ['Other']);
    expect(preview.match(/^=== /gm)).toHaveLength(1);
    expect(preview).toContain('=== Lulu/High/Low · label Other ·');
  });
});
