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
    content.data.brands[brand].surveyUrl = content.data.brands[brand].surveyUrl.replace(
      'example.org',
      'pilot-study.org',
    );
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

  it('warns about a reserved name and a documentation address, as about the other hosts', () => {
    const content = contentWith((changed) => {
      changed.data.brands.Basic.surveyUrl = 'https://survey.pilot.test/s?c={completion_code}';
      changed.data.brands.Lulu.surveyUrl = 'https://[2001:db8::7]/s?c={completion_code}';
    });
    expect(studySummary(content).warnings).toEqual([
      'Basic: the survey link is on survey.pilot.test, a reserved name that resolves nowhere on the internet: ' +
        'participants would reach no survey',
      'Lulu: the survey link is on [2001:db8::7], an address reserved for documentation: participants would reach ' +
        'no survey',
    ]);
  });

  it('prints each survey link with its password masked', () => {
    const content = contentWith((changed) => {
      changed.data.brands.Lulu.surveyUrl = 'https://user:s3cret@10.1.2.3:8443/s?c={completion_code}';
      changed.data.brands.Basic.surveyUrl = 'https://user:p@ss@survey.pilot-study.org/s?c={completion_code}';
    });
    const { lines, warnings } = studySummary(content);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  Lulu: https://user:***@10.1.2.3:8443/s?c={completion_code}',
        '  Basic: https://user:***@survey.pilot-study.org/s?c={completion_code}',
      ]),
    );
    expect([...lines, ...warnings].join('\n')).not.toMatch(/s3cret|ss@/);
  });

  it('warns when survey answers could not be joined to conversations', () => {
    const content = contentWith((changed) => {
      onOwnDomain(changed);
      changed.data.brands.Lulu.surveyUrl = 'https://survey.pilot-study.org/lulu?arm={brand}';
      changed.data.brands.Lulu.thankYou = 'Thank you! {surveyLink}';
    });
    const { lines, warnings } = studySummary(content);
    expect(lines).toEqual(
      expect.arrayContaining(['    placeholders: {brand}', '    thank-you shows the completion code: no']),
    );
    expect(warnings).toEqual([expect.stringMatching(/^Lulu: survey answers cannot be joined to conversations/)]);
  });
});
