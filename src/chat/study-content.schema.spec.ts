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
    expect(problemsOf('{"version": ')).toEqual(['$: not valid JSON (line 1, column 13: unexpected end of the file)']);
    expect(problemsOf('{\n  "a": [\n    "one",\n  ]\n}')).toEqual([
      '$: not valid JSON (line 4, column 3: unexpected character)',
    ]);
    expect(problemsOf('{\n  "a": 1,\n}')).toEqual([
      '$: not valid JSON (line 3, column 1: expected a property name in double quotes)',
    ]);
    expect(problemsOf('{"a": "two\nlines"}')).toEqual([
      '$: not valid JSON (line 1, column 11: a line break or control character inside a string; write \\n or \\t)',
    ]);
    expect(problemsOf('{"a": 1} {}')).toEqual([
      '$: not valid JSON (line 1, column 10: more text after the JSON value)',
    ]);
    expect(problemsOf(' \n')).toEqual(['$: not valid JSON (the file is empty)']);
  });

  it('counts columns in characters, as an editor does', () => {
    expect(problemsOf('{"é😀": 1,}')).toEqual([
      '$: not valid JSON (line 1, column 10: expected a property name in double quotes)',
    ]);
  });

  // A study file named by mistake may be a password or secrets file: an error must not echo its first bytes.
  it.each([
    ['a password file', 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n'],
    ['a .env file', 'SECRET_TOKEN=s3cr3t-value\nDATABASE_URL=postgres://u:p@h/db\n'],
    ['a JSON file with a secret before the fault', '{"token": "s3cr3t-value", "x": nope}'],
    ['text that V8 quotes whole', 'tok3n'],
  ])('never quotes the content of %s', (_what, raw) => {
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\$: not valid JSON \(line \d+, column \d+: [^"]+\)$/);
    for (const secret of ['root', 'daemon', 'SECRET', 's3cr3t', 'postgres', 'nope', 'tok3n', 'x:0']) {
      expect(problems[0]).not.toContain(secret);
    }
  });

  it('puts the fault of a non-JSON file at its first character', () => {
    expect(problemsOf('root:x:0:0:root:/root:/bin/bash\n')).toEqual([
      '$: not valid JSON (line 1, column 1: unexpected character)',
    ]);
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
