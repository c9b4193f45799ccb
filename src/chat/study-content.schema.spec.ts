import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fillSurveyUrl, parseStudyContent, placeholderSurveyUrls, type StudyContentData } from './study-content.schema';

const EXAMPLE = readFileSync(path.join(__dirname, '..', '..', 'studies', 'example.json'), 'utf8');

/** The example with `change` applied, as text. */
function changed(change: (content: StudyContentData) => void): string {
  const content = JSON.parse(EXAMPLE) as StudyContentData;
  change(content);
  return JSON.stringify(content);
}

function problemsOf(raw: string): string[] {
  const parsed = parseStudyContent(raw);
  return 'problems' in parsed ? parsed.problems.map(({ path: at, message }) => `${at}: ${message}`) : [];
}

describe('parseStudyContent', () => {
  it('accepts the shipped example', () => {
    expect(parseStudyContent(EXAMPLE)).toEqual({ data: JSON.parse(EXAMPLE) });
  });

  it('names every problem by its JSON path, placeholders in braces shown as written', () => {
    const raw = changed((content) => {
      content.brands.Lulu.questions.C = content.brands.Lulu.questions.C.slice(0, 3);
      content.brands.Lulu.thankYou = 'Thanks, bye.';
      content.brands.Basic.surveyUrl = 'https://survey.pilot.test/s?who={participant}';
      content.brands.Basic.greeting.High = '   ';
      content.paraphrase.templates[1] = 'No summary here.';
    });
    expect(problemsOf(raw).sort()).toEqual(
      [
        '$.brands.Basic.greeting.High: must not be empty',
        '$.brands.Basic.surveyUrl: unknown placeholder {participant}; use {conversation_id}, {brand}, {think_level}, ' +
          '{feel_level}, {label}, {completion_code}',
        '$.brands.Lulu.questions.C: must contain at least 5 items',
        '$.brands.Lulu.thankYou: must contain {surveyLink}',
        '$.paraphrase.templates[1]: must contain {summary}',
      ].sort(),
    );
  });

  it('refuses a survey link that is not https', () => {
    expect(problemsOf(changed((content) => (content.brands.Lulu.surveyUrl = 'http://survey.pilot.test/')))).toEqual([
      '$.brands.Lulu.surveyUrl: must be an https: URL',
    ]);
  });

  it('says where a file is not JSON', () => {
    expect(problemsOf('{"version": ')).toEqual([expect.stringMatching(/^\$: not valid JSON \(/)]);
  });
});

describe('survey links', () => {
  it('fills placeholders URL-encoded and leaves unknown names as written', () => {
    const url = fillSurveyUrl('https://s.test/?a={brand}&c={completion_code}&x={other}', {
      conversation_id: 'id',
      brand: 'Basic & Co',
      think_level: 'High',
      feel_level: 'Low',
      label: 'A',
      completion_code: 'K7Q2 M9',
    });
    expect(url).toBe('https://s.test/?a=Basic%20%26%20Co&c=K7Q2%20M9&x={other}');
  });

  it('lists the brands whose link is still on a documentation domain', () => {
    const data = JSON.parse(
      changed((content) => (content.brands.Lulu.surveyUrl = 'https://survey.pilot.test/')),
    ) as StudyContentData;
    expect(placeholderSurveyUrls(data)).toEqual([{ brand: 'Basic', url: data.brands.Basic.surveyUrl }]);
  });
});
