import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import * as clusterProcess from '../common/cluster-process';
import { StartupError } from '../common/startup.error';
import { AppConfig } from '../config/app-config';
import { LABELS } from '../ml/ml.types';
import { BRANDS, LEVELS } from './chat.types';
import { MAX_STUDY_FILE_BYTES, StudyContent, withoutPassword } from './study-content.provider';
import type { StudyContentData } from './study-content.schema';

describe('StudyContent (study-content.json)', () => {
  const content = new StudyContent(new AppConfig({}));

  it('has a version', () => {
    expect(content.version).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+\+[0-9a-f]{8}$/);
  });

  it.each(BRANDS)('has every text for brand %s, none empty and no debug tags', (brand) => {
    const texts: string[] = [];
    const data = content.brand(brand);
    for (const level of LEVELS) texts.push(data.greeting[level], data.understanding[level]);
    for (const label of LABELS) {
      expect(data.questions[label].length).toBeGreaterThanOrEqual(5);
      expect(new Set(data.questions[label]).size).toBe(data.questions[label].length);
      texts.push(...data.questions[label]);
    }
    texts.push(data.closing, data.invalidEmail, data.thankYou, data.afterEnd, data.surveyLinkText);
    for (const text of texts) {
      expect(text.trim().length).toBeGreaterThan(0);
      expect(text).not.toMatch(/\[(debug|test|todo)|\(High|\(Low|TODO|<[a-z]/i);
    }
    expect(data.thankYou).toContain('{surveyLink}');
    expect(data.surveyUrl).toMatch(/^https:\/\//);
  });

  it('greets Basic participants with the three examples', () => {
    for (const level of LEVELS) {
      expect(content.brand('Basic').greeting[level]).toMatch(/defective.*(package|delivery).*rude/is);
    }
  });

  it('asks questions 0–4 of the class in order, one per step', () => {
    const asked = [0, 1, 2, 3, 4].map((step) => content.question('Basic', 'B', step));
    expect(new Set(asked).size).toBe(5);
  });
});

describe('StudyContent.read', () => {
  const example = readFileSync(path.join(__dirname, '..', '..', 'studies', 'example.json'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'combot-study-read-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function written(name: string, bytes: Buffer): string {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  }

  function problemsOf(file: string): string[] {
    const loaded = StudyContent.read(file);
    return 'problems' in loaded ? loaded.problems.map(({ path: at, message }) => `${at}: ${message}`) : [];
  }

  it('refuses a file that is not UTF-8, naming the line and byte of the first bad byte', () => {
    // Latin-1 "é" (0xe9) where UTF-8 has 0xc3 0xa9: the text would reach participants as U+FFFD.
    const utf8 = example.toString('utf8').replace('"closing": "', '"closing": "Merci, café. ');
    const offset = Buffer.from(utf8.slice(0, utf8.indexOf('é'))).length;
    const line = utf8.slice(0, utf8.indexOf('é')).split('\n').length;
    const file = written('latin1.json', Buffer.from(utf8, 'latin1'));
    expect(problemsOf(file)).toEqual([`$: not UTF-8 (line ${line}, byte offset ${offset}); save the file as UTF-8`]);
  });

  it('does not take a U+FFFD written in the file for a bad byte', () => {
    const bytes = Buffer.concat([Buffer.from('\uFFFD\uFFFD'), Buffer.from([0x20, 0xff])]);
    expect(problemsOf(written('replacement.json', bytes))).toEqual([
      '$: not UTF-8 (line 1, byte offset 7); save the file as UTF-8',
    ]);
  });

  it.each([
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a sequence cut off by the end of the file', [0xe2, 0x82]],
  ])('refuses %s', (_what, bad) => {
    const bytes = Buffer.concat([Buffer.from('{\n"a": "'), Buffer.from(bad)]);
    expect(problemsOf(written(`bad-${bad.join('-')}.json`, bytes))).toEqual([
      '$: not UTF-8 (line 2, byte offset 8); save the file as UTF-8',
    ]);
  });

  it('accepts a UTF-8 file with a byte-order mark, versioned by the hash of its bytes as they are', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), example]);
    const loaded = StudyContent.read(written('bom.json', bytes));
    expect(loaded).toHaveProperty('content');
    const { content } = loaded as { content: StudyContent };
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
    expect(content.version).toBe(`${JSON.parse(example.toString('utf8')).version}+${hash}`);
  });

  it('strips one byte-order mark only', () => {
    const bytes = Buffer.concat([Buffer.from('\uFEFF\uFEFF'), example]);
    expect(problemsOf(written('two-boms.json', bytes))).toEqual([
      '$: not valid JSON (line 1, column 1: unexpected character)',
    ]);
  });

  it('refuses a file larger than 1 MiB before reading it as JSON, and takes one of exactly 1 MiB', () => {
    expect(MAX_STUDY_FILE_BYTES).toBe(1024 * 1024);
    const padded = (size: number): Buffer => Buffer.concat([example, Buffer.alloc(size - example.length, 0x20)]);
    expect(problemsOf(written('big.json', padded(MAX_STUDY_FILE_BYTES + 1)))).toEqual([
      '$: larger than 1 MiB, the limit for a study content file (is it the right file?)',
    ]);
    expect(StudyContent.read(written('just-fits.json', padded(MAX_STUDY_FILE_BYTES)))).toHaveProperty('content');
  });

  it('fills every {summary} of a paraphrase template with the summary as written', () => {
    const data = JSON.parse(example.toString('utf8')) as StudyContentData;
    data.paraphrase.templates = ['{summary} / {summary}'];
    data.paraphrase.byLabel.A = "you paid $& and $' twice.";
    const loaded = StudyContent.read(written('summary.json', Buffer.from(JSON.stringify(data))));
    const { content } = loaded as { content: StudyContent };
    expect(content.paraphrase('A', 0)).toBe("you paid $& and $' twice. / you paid $& and $' twice.");
  });

  it('warns at start about a survey link on a local address or with a password, never logging the password', () => {
    const data = JSON.parse(example.toString('utf8')) as StudyContentData;
    data.brands.Lulu.surveyUrl = 'https://me:secret@localhost./s?c={completion_code}';
    const file = written('local-link.json', Buffer.from(JSON.stringify(data)));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      expect(new StudyContent(new AppConfig({ STUDY_CONTENT_FILE: file })).version).toMatch(/\+[0-9a-f]{8}$/);
      const lines = warn.mock.calls.map(([message]) => String(message));
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^STUDY CONTENT: Lulu: the survey link is on localhost, a local or private address/),
          expect.stringMatching(/^STUDY CONTENT: Lulu: the survey link carries a user name or password/),
        ]),
      );
      expect(lines.join('\n')).not.toContain('secret');
    } finally {
      warn.mockRestore();
    }
  });

  it('logs its start warnings in the first HTTP process of a cluster only', () => {
    const data = JSON.parse(example.toString('utf8')) as StudyContentData;
    data.brands.Lulu.surveyUrl = 'https://me:secret@localhost./s?c={completion_code}';
    const file = written('local-link-cluster.json', Buffer.from(JSON.stringify(data)));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const first = jest.spyOn(clusterProcess, 'isFirstProcess').mockReturnValue(false);
    try {
      new StudyContent(new AppConfig({ STUDY_CONTENT_FILE: file }));
      expect(warn).not.toHaveBeenCalled();
      first.mockReturnValue(true);
      new StudyContent(new AppConfig({ STUDY_CONTENT_FILE: file }));
      expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
        expect.stringMatching(/^STUDY CONTENT NOT CONFIGURED: the survey links of Basic /),
        expect.stringMatching(/^STUDY CONTENT: Lulu: the survey link is on localhost/),
        expect.stringMatching(/^STUDY CONTENT: Lulu: the survey link carries a user name or password/),
      ]);
    } finally {
      first.mockRestore();
      warn.mockRestore();
    }
  });

  it('stops the start naming the problem under STUDY_CONTENT_FILE, without quoting the file', () => {
    const file = written('secrets.json', Buffer.from('SECRET_TOKEN=s3cr3t-value\n'));
    expect(() => new StudyContent(new AppConfig({ STUDY_CONTENT_FILE: file }))).toThrow(
      new StartupError('STUDY_CONTENT_FILE: $: not valid JSON (line 1, column 1: unexpected character)'),
    );
  });
});

describe('withoutPassword', () => {
  it('masks the password of a link and leaves every other link as written', () => {
    expect(withoutPassword('https://ann:s3cret@survey.example.org/s?cid={conversation_id}')).toBe(
      'https://ann:***@survey.example.org/s?cid={conversation_id}',
    );
    expect(withoutPassword('https://survey.example.org/s?cid={conversation_id}&a=b:c@d')).toBe(
      'https://survey.example.org/s?cid={conversation_id}&a=b:c@d',
    );
    expect(withoutPassword('https://ann@survey.example.org/')).toBe('https://ann@survey.example.org/');
  });

  it('masks a password holding @ or : up to the last @ of the authority, as the URL parser reads it', () => {
    expect(withoutPassword('https://user:p@ss@survey.example.org/x')).toBe('https://user:***@survey.example.org/x');
    expect(withoutPassword('https://user:a:b@c@survey.example.org:8443?q=e@f#g@h')).toBe(
      'https://user:***@survey.example.org:8443?q=e@f#g@h',
    );
    expect(withoutPassword('https://us@er:pw@survey.example.org#x@y')).toBe('https://us@er:***@survey.example.org#x@y');
    expect(withoutPassword('https://user:p@ss@survey.example.org')).toBe('https://user:***@survey.example.org');
    for (const url of ['https://user:p@ss@survey.example.org/x', 'https://user:a:b@c@survey.example.org:8443?q=e@f']) {
      expect(new URL(withoutPassword(url)).host).toBe(new URL(url).host);
    }
  });
});
