import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  fillSurveyUrl,
  parseStudyContent,
  placeholderSurveyUrls,
  surveyLinkConcerns,
  type StudyContentData,
} from './study-content.schema';

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

  it('refuses, per text, a placeholder the text does not fill, naming what it fills', () => {
    const raw = changed((content) => {
      content.brands.Basic.thankYou = 'T {surveyLink} {label} {Completion_Code}';
      content.brands.Basic.surveyLinkText = 'survey for {completion_code}';
      content.brands.Basic.closing = 'closing {surveyLink}';
      content.brands.Lulu.greeting.Low = 'Hello {{brand}}';
      content.paraphrase.templates[0] = 'So {summary} {Summary}';
      content.paraphrase.byLabel.A = 'a {summary} inside';
      content.llm.lowEffortSystemPrompt = 'Acknowledge {label}.';
    });
    expect(problemsOf(raw).sort()).toEqual(
      [
        '$.brands.Basic.thankYou: unknown placeholder {label}; unknown placeholder {Completion_Code} (names are ' +
          'case-sensitive: {completion_code}); use {surveyLink}, {completion_code}',
        '$.brands.Basic.surveyLinkText: unknown placeholder {completion_code} (only surveyUrl and thankYou fill ' +
          '{completion_code}); this text takes no placeholders',
        '$.brands.Basic.closing: unknown placeholder {surveyLink} (only thankYou fills {surveyLink}); this ' +
          'text takes no placeholders',
        '$.brands.Lulu.greeting.Low: unknown placeholder {{brand}} (only surveyUrl fills {brand}); this text takes ' +
          'no placeholders',
        '$.paraphrase.templates[0]: unknown placeholder {Summary} (names are case-sensitive: {summary}); use {summary}',
        '$.paraphrase.byLabel.A: unknown placeholder {summary} (only paraphrase.templates fills ' +
          '{summary}); this text takes no placeholders',
        '$.llm.lowEffortSystemPrompt: unknown placeholder {label} (only surveyUrl fills {label}); this text takes ' +
          'no placeholders',
      ].sort(),
    );
  });

  it('keeps braces that are no placeholder in texts that fill none', () => {
    const raw = changed((content) => {
      content.brands.Basic.closing = 'Type it like { this one } or { } or }{ or {42}';
      content.llm.paraphraseSystemPrompt = 'Answer as JSON: {"reply": "..."} or {"a": 1}';
      content.llm.lowEffortSystemPrompt = 'Code: const { x } = y; return {label: value, ...rest};';
    });
    expect(problemsOf(raw)).toEqual([]);
  });

  it('refuses a {name} in any script, or with spaces inside, in texts that fill none', () => {
    const raw = changed((content) => {
      content.brands.Basic.greeting.High = 'Bonjour {prénom} ! Привет, {имя}. Hallo {Ihr Name}. Hi {first name}.';
      // "prénom" with a combining accent, as some editors write it.
      content.brands.Lulu.closing = 'Bonjour {pre\u0301nom}, {{nom  de famille}}.';
      content.brands.Lulu.afterEnd = 'Bye { surveyLink }.';
    });
    expect(problemsOf(raw).sort()).toEqual(
      [
        '$.brands.Basic.greeting.High: unknown placeholder {prénom}; unknown placeholder {имя}; unknown ' +
          'placeholder {Ihr Name}; unknown placeholder {first name}; this text takes no placeholders',
        '$.brands.Lulu.closing: unknown placeholder {pre\u0301nom}; unknown placeholder {{nom  de famille}}; this ' +
          'text takes no placeholders',
        '$.brands.Lulu.afterEnd: unknown placeholder { surveyLink } (only thankYou fills {surveyLink}); this text ' +
          'takes no placeholders',
      ].sort(),
    );
  });

  it('refuses a {name} in any script, or with spaces inside, in texts that fill placeholders', () => {
    const raw = changed((content) => {
      content.brands.Basic.thankYou = 'Merci {prénom} ! {surveyLink}';
      content.brands.Lulu.thankYou = 'Thanks {first name}, {surveyLink} { completion_code }';
      content.paraphrase.templates[0] = 'So {summary}, {имя}?';
    });
    expect(problemsOf(raw).sort()).toEqual(
      [
        '$.brands.Basic.thankYou: unknown placeholder {prénom}; use {surveyLink}, {completion_code}',
        '$.brands.Lulu.thankYou: unknown placeholder {first name}; unknown placeholder { completion_code } ' +
          '(write {completion_code}); use {surveyLink}, {completion_code}',
        '$.paraphrase.templates[0]: unknown placeholder {имя}; use {summary}',
      ].sort(),
    );
  });

  it('keeps a lone brace in the thank-you and the paraphrase templates: they show it as typed', () => {
    const raw = changed((content) => {
      content.brands.Basic.thankYou = 'Thanks :-} {surveyLink}';
      content.brands.Lulu.thankYou = 'Thanks { see {surveyLink} :-{ {"a": 1}';
      content.paraphrase.templates[1] = 'So {summary}} right? }{';
    });
    expect(problemsOf(raw)).toEqual([]);
  });

  it('refuses unbalanced and doubled braces in survey links, and doubled ones in every text that fills placeholders', () => {
    const raw = changed((content) => {
      content.brands.Basic.surveyUrl = 'https://survey.pilot.test/s?c={completion_code}&x={';
      content.brands.Lulu.surveyUrl = 'https://survey.pilot.test/s?c={{completion_code}}&x={{x}}';
      content.brands.Lulu.thankYou = 'Thanks {{surveyLink}}';
      content.paraphrase.templates[1] = 'So {summary}, {{x}} right?';
    });
    expect(problemsOf(raw).sort()).toEqual(
      [
        '$.brands.Basic.surveyUrl: a { without its } (write %7B or %7D for a brace in the URL); use ' +
          '{conversation_id}, {brand}, {think_level}, {feel_level}, {label}, {completion_code}',
        '$.brands.Lulu.surveyUrl: {{completion_code}} has double braces (write {completion_code}); unknown ' +
          'placeholder {{x}}; use {conversation_id}, {brand}, {think_level}, {feel_level}, {label}, {completion_code}',
        '$.brands.Lulu.thankYou: {{surveyLink}} has double braces (write {surveyLink}); use {surveyLink}, ' +
          '{completion_code}',
        '$.paraphrase.templates[1]: unknown placeholder {{x}}; use {summary}',
      ].sort(),
    );
  });

  it('refuses texts the chat would refuse from a participant or hide: blank, control characters, half a surrogate', () => {
    const raw = changed((content) => {
      content.brands.Basic.greeting.High = '\u200b';
      content.brands.Basic.greeting.Low = ' \u2060\ufeff ';
      content.brands.Basic.closing = 'Your e-mail, please.\u0007';
      content.lowEffort[0] = '\u001b[31mTell me more.\u001b[0m';
      content.brands.Lulu.afterEnd = 'Thanks \u009b1m';
      content.brands.Lulu.questions.A[2] = 'What happened?\ud800';
      content.llm.paraphraseSystemPrompt = 'Paraphrase.\u0000';
    });
    expect(problemsOf(raw)).toEqual([
      '$.brands.Basic.greeting.High: must not be empty',
      '$.brands.Basic.greeting.Low: must not be empty',
      '$.brands.Basic.closing: holds control characters (only tab, line feed and carriage return are allowed)',
      '$.brands.Lulu.questions.A[2]: holds half of a UTF-16 surrogate pair on its own, which is no character',
      '$.brands.Lulu.afterEnd: holds control characters (only tab, line feed and carriage return are allowed)',
      '$.lowEffort[0]: holds control characters (only tab, line feed and carriage return are allowed)',
      '$.llm.paraphraseSystemPrompt: holds control characters (only tab, line feed and carriage return are allowed)',
    ]);
    // Tab, line feed and carriage return are text; so is an emoji, a pair of surrogates.
    const fine = changed((content) => (content.brands.Basic.closing = 'Your e-mail,\tplease:\r\n😊'));
    expect(problemsOf(fine)).toEqual([]);
  });

  it('refuses a __proto__ key as any other key the file does not take, at every level', () => {
    const withKey = (at: string): string => EXAMPLE.replace(at, `${at}"__proto__": {"x": 1}, `);
    expect(problemsOf(withKey('{'))).toEqual(['$.__proto__: is not allowed']);
    expect(problemsOf(withKey('"paraphrase": {'))).toEqual(['$.paraphrase.__proto__: is not allowed']);
    expect(problemsOf(withKey('"Lulu": {'))).toEqual(['$.brands.Lulu.__proto__: is not allowed']);
    // Where a text belongs, the object is the problem, said once.
    const inList = changed((content) => (content.lowEffort[0] = 'placeholder')).replace(
      '"placeholder"',
      '{"__proto__": {"x": 1}}',
    );
    expect(problemsOf(inList)).toEqual(['$.lowEffort[0]: must be a string']);
  });

  it('says each problem of a list once', () => {
    expect(problemsOf(changed((content) => (content.lowEffort = [])))).toEqual([
      '$.lowEffort: must contain at least 1 item',
    ]);
    expect(problemsOf(changed((content) => (content.paraphrase.templates = [])))).toEqual([
      '$.paraphrase.templates: must contain at least 1 item',
    ]);
    expect(problemsOf(changed((content) => (content.paraphrase.templates = ['No summary here.'])))).toEqual([
      '$.paraphrase.templates[0]: must contain {summary}',
    ]);
    expect(problemsOf(changed((content) => (content.brands.Basic.questions.B = [])))).toEqual([
      '$.brands.Basic.questions.B: must contain at least 5 items',
    ]);
  });

  it('refuses a duplicate key, naming its JSON path and line', () => {
    const lines = EXAMPLE.split('\n');
    const versionLine = lines.findIndex((line) => line.includes('"version"'));
    const closingLine = lines.findIndex((line) => line.includes('"closing"') && line.includes('Lulu'));
    lines.splice(versionLine + 1, 0, '  "version": "b",');
    lines.splice(closingLine + 2, 0, '      "closing": "A second closing.",');
    expect(problemsOf(lines.join('\n'))).toEqual([
      `$.version: duplicate key (line ${versionLine + 2}; first on line ${versionLine + 1}): only the last would count`,
      `$.brands.Lulu.closing: duplicate key (line ${closingLine + 3}; first on line ${closingLine + 2}): only the ` +
        'last would count',
    ]);
  });

  it('compares keys as JSON reads them, escapes decoded', () => {
    expect(problemsOf('{"a": {"b\\u0031": 1, "b1": [{"c": 2, "c": 3}]}}').slice(0, 2)).toEqual([
      '$.a.b1: duplicate key (line 1; first on line 1): only the last would count',
      '$.a.b1[0].c: duplicate key (line 1; first on line 1): only the last would count',
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

  it('takes a documentation domain written with a trailing dot or capitals for one', () => {
    const data = JSON.parse(
      changed((content) => {
        content.brands.Basic.surveyUrl = 'https://survey.example.com./s?c={completion_code}';
        content.brands.Lulu.surveyUrl = 'https://Survey.EXAMPLE.net/s?c={completion_code}';
      }),
    ) as StudyContentData;
    expect(placeholderSurveyUrls(data).map(({ brand }) => brand)).toEqual(['Basic', 'Lulu']);
  });

  it.each([
    ['https://localhost/s', 'localhost', 'a local or private address'],
    ['https://LOCALHOST./s', 'localhost', 'a local or private address'],
    ['https://survey.localhost/s', 'survey.localhost', 'a local or private address'],
    ['https://127.8.0.1/s', '127.8.0.1', 'a local or private address'],
    ['https://0x7f.1/s', '127.0.0.1', 'a local or private address'],
    ['https://[::1]/s', '[::1]', 'a local or private address'],
    ['https://[::ffff:10.1.2.3]/s', '[::ffff:a01:203]', 'a local or private address'],
    ['https://10.0.0.5/s', '10.0.0.5', 'a local or private address'],
    ['https://172.20.1.1/s', '172.20.1.1', 'a local or private address'],
    ['https://192.168.1.10/s', '192.168.1.10', 'a local or private address'],
    ['https://169.254.169.254/s', '169.254.169.254', 'a local or private address'],
    ['https://[fd00::1]/s', '[fd00::1]', 'a local or private address'],
    ['https://researcher:hunter2@survey.pilot-study.org/s', 'survey.pilot-study.org', 'a user name or password'],
    ['https://survey.local/s', 'survey.local', 'a local or private address'],
    ['https://survey.home.arpa./s', 'survey.home.arpa', 'a local or private address'],
    ['https://intranet/s', 'intranet', 'a local or private address'],
    ['https://Intranet./s', 'intranet', 'a local or private address'],
    ['https://100.64.0.1/s', '100.64.0.1', 'a local or private address'],
    ['https://100.127.255.254/s', '100.127.255.254', 'a local or private address'],
    ['https://survey.example/s', 'survey.example', 'a reserved name'],
    ['https://survey.pilot.test/s', 'survey.pilot.test', 'a reserved name'],
    ['https://survey.TEST./s', 'survey.test', 'a reserved name'],
    ['https://survey.invalid/s', 'survey.invalid', 'a reserved name'],
    ['https://192.0.2.10/s', '192.0.2.10', 'a documentation address'],
    ['https://198.51.100.7/s', '198.51.100.7', 'a documentation address'],
    ['https://203.0.113.255/s', '203.0.113.255', 'a documentation address'],
    ['https://[2001:db8::1]/s', '[2001:db8::1]', 'a documentation address'],
    ['https://[2001:db8:ffff::1]/s', '[2001:db8:ffff::1]', 'a documentation address'],
    ['https://[::ffff:192.0.2.1]/s', '[::ffff:c000:201]', 'a documentation address'],
    [
      'https://app.prolific.com/submissions/complete?cc={completion_code}',
      'app.prolific.com',
      'a Prolific completion link',
    ],
    ['https://app.prolific.co/submissions/complete?cc=C1A2B3', 'app.prolific.co', 'a Prolific completion link'],
  ])('warns about %s', (url, host, concern) => {
    const data = JSON.parse(changed((content) => (content.brands.Lulu.surveyUrl = url))) as StudyContentData;
    expect(surveyLinkConcerns(data).filter(({ brand }) => brand === 'Lulu')).toEqual([
      { brand: 'Lulu', url, host, concern },
    ]);
  });

  it('has no concern about a public address', () => {
    for (const url of [
      'https://172.32.0.1/s',
      'https://8.8.8.8/s',
      'https://100.128.0.1/s',
      'https://192.0.3.1/s',
      'https://[2001:db9::1]/s',
      'https://local.pilot-study.org/',
      'https://test.example-survey.org/',
      'https://survey.localtest.org/',
      'https://app.prolific.com/studies/abc',
    ]) {
      const data = JSON.parse(changed((content) => (content.brands.Lulu.surveyUrl = url))) as StudyContentData;
      expect({ url, concerns: surveyLinkConcerns(data).filter(({ brand }) => brand === 'Lulu') }).toEqual({
        url,
        concerns: [],
      });
    }
  });

  it('lists the brands whose link is still on a documentation domain', () => {
    const data = JSON.parse(
      changed((content) => (content.brands.Lulu.surveyUrl = 'https://survey.pilot.test/')),
    ) as StudyContentData;
    expect(placeholderSurveyUrls(data)).toEqual([{ brand: 'Basic', url: data.brands.Basic.surveyUrl }]);
  });
});
