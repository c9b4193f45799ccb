import { AppConfig } from '../config/app-config';
import { StudyContent } from './study-content.provider';
import { studySummary } from './study-summary';

/** The shipped example, with `change` applied to its data (the version stays the example's). */
function contentWith(change: (content: StudyContent) => void): StudyContent {
  const example = new StudyContent(new AppConfig({}));
  const content = Object.assign(Object.create(StudyContent.prototype) as StudyContent, {
    ...example,
    data: structuredClone(example.data),
  });
  change(content);
  return content;
}

const onOwnDomain = (content: StudyContent): void => {
  for (const brand of ['Basic', 'Lulu'] as const)
    content.data.brands[brand].surveyUrl = content.data.brands[brand].surveyUrl.replace('example.org', 'pilot.test');
};

describe('studySummary', () => {
  it('summarises the version, brands, questions per class and survey-link placeholders', () => {
    const { lines } = studySummary(contentWith(onOwnDomain));
    expect(lines[0]).toMatch(/^version: 2026-12-01\.1\+[0-9a-f]{8} \(declared 2026-12-01\.1,/);
    expect(lines).toEqual(
      expect.arrayContaining([
        'brands: Basic, Lulu',
        '  Basic: A 5, B 5, C 5, Other 5',
        '    placeholders: {conversation_id}, {brand}, {think_level}, {feel_level}, {label}, {completion_code}',
        '    thank-you shows the completion code: yes',
      ]),
    );
  });

  it('warns about survey links on a documentation domain, and about nothing in a configured study', () => {
    expect(studySummary(contentWith(() => undefined)).warnings).toEqual([
      expect.stringMatching(/^Basic: the survey link is on survey\.example\.org, a documentation domain/),
      expect.stringMatching(/^Lulu: the survey link is on survey\.example\.org, a documentation domain/),
    ]);
    expect(studySummary(contentWith(onOwnDomain)).warnings).toEqual([]);
  });

  it('warns about a documentation domain with a trailing dot, a local address and a user name in the link', () => {
    const content = contentWith((changed) => {
      changed.data.brands.Basic.surveyUrl = 'https://survey.example.com./s?c={completion_code}';
      changed.data.brands.Lulu.surveyUrl = 'https://me:secret@192.168.0.7/s?c={completion_code}';
    });
    const { warnings } = studySummary(content);
    expect(warnings).toEqual([
      expect.stringMatching(/^Basic: the survey link is on survey\.example\.com, a documentation domain/),
      'Lulu: the survey link is on 192.168.0.7, a local or private address: participants outside that network ' +
        'would reach no survey',
      'Lulu: the survey link carries a user name or password: every participant would read it, and browsers ' +
        'warn about such links',
    ]);
    expect(warnings.join('\n')).not.toContain('secret');
  });

  it('warns when survey answers could not be joined to conversations', () => {
    const content = contentWith((changed) => {
      onOwnDomain(changed);
      changed.data.brands.Lulu.surveyUrl = 'https://survey.pilot.test/lulu?arm={brand}';
      changed.data.brands.Lulu.thankYou = 'Thank you! {surveyLink}';
    });
    const { lines, warnings } = studySummary(content);
    expect(lines).toEqual(
      expect.arrayContaining(['    placeholders: {brand}', '    thank-you shows the completion code: no']),
    );
    expect(warnings).toEqual([expect.stringMatching(/^Lulu: survey answers cannot be joined to conversations/)]);
  });
});
