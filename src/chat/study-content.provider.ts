import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { isFirstProcess } from '../common/cluster-process';
import { StartupError } from '../common/startup.error';
import { AppConfig } from '../config/app-config';
import type { Label } from '../ml/ml.types';
import type { Brand } from './chat.types';
import {
  BrandContent,
  parseStudyContent,
  placeholderSurveyUrls,
  surveyLinkConcerns,
  surveyLinkWarning,
  type ContentProblem,
  type StudyContentData,
} from './study-content.schema';

/**
 * A link as a log line may show it: a password in its authority is masked (the template's braces stay as written).
 * The authority ends at the first `/`, `?` or `#` after `//`, and its user info at its last `@`, as the URL parser
 * reads them: a password may hold `@` and `:`.
 */
export function withoutPassword(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  if (authority === null) return url;
  const start = authority[0].length - authority[1].length;
  const at = authority[1].lastIndexOf('@');
  const colon = authority[1].indexOf(':');
  if (at === -1 || colon === -1 || colon > at) return url;
  return `${url.slice(0, start + colon)}:***${url.slice(start + at)}`;
}

/** The most a study content file may hold: its texts fill a few KB, so a larger file is another file. */
export const MAX_STUDY_FILE_BYTES = 1024 * 1024;

/**
 * A file's bytes, at most `limit` + 1 of them: enough to tell it is too large without reading all of a huge file
 * (or a device that never ends).
 */
function readAtMost(file: string, limit: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file's text, or where its first byte that is not UTF-8 is. Strict because a lenient decode turns such bytes (a
 * file saved as Latin-1 or Windows-1252) into U+FFFD, which participants would read. One leading byte-order mark,
 * as Windows editors write, is not text.
 */
function decodeUtf8(bytes: Buffer): string | { line: number; offset: number } {
  const text = bytes.toString('utf8');
  // The decoder puts U+FFFD for each bad sequence; one the file spells itself (EF BF BD) is text. Before the first
  // bad sequence everything decoded as it is, so its length in UTF-8 is the bad byte's offset.
  for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) {
    const offset = Buffer.byteLength(text.slice(0, at));
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) {
      return { line: text.slice(0, at).split('\n').length, offset };
    }
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** A study content file that was read and validated, or why it could not be. */
export type LoadedStudyContent = { content: StudyContent } | { problems: ContentProblem[] };

/**
 * Every participant-facing text, from the study content file (STUDY_CONTENT_FILE), read and validated once at
 * start: a bad file stops the start naming the JSON path of each problem. The stored content version is the
 * file's own `version` plus a short hash of its bytes, so two different files never share a version.
 */
@Injectable()
export class StudyContent {
  readonly data: StudyContentData;
  readonly version: string;
  /** Brands whose survey link still points at a documentation domain. */
  readonly placeholders: { brand: Brand; url: string }[];

  constructor(config: AppConfig) {
    const file = config.study.contentFile;
    const loaded = StudyContent.read(file);
    if ('problems' in loaded) {
      throw new StartupError(
        loaded.problems.map((problem) => `STUDY_CONTENT_FILE: ${problem.path}: ${problem.message}`).join('\n'),
      );
    }
    ({ data: this.data, version: this.version, placeholders: this.placeholders } = loaded.content);
    // Every HTTP process of a cluster reads the same file: one of them says what is wrong with it.
    if (!isFirstProcess()) return;
    if (this.placeholders.length > 0) {
      new Logger(StudyContent.name).warn(
        `STUDY CONTENT NOT CONFIGURED: the survey links of ${this.placeholders.map(({ brand }) => brand).join(' and ')} ` +
          `still point at ${this.placeholders.map(({ url }) => withoutPassword(url)).join(', ')}; set STUDY_CONTENT_FILE to your study's file`,
      );
    }
    for (const concern of surveyLinkConcerns(this.data)) {
      if (concern.concern !== 'a documentation domain') {
        new Logger(StudyContent.name).warn(`STUDY CONTENT: ${surveyLinkWarning(concern)}`);
      }
    }
  }

  /** Reads and validates a content file without starting anything (the CLI's `study:check`, tests). */
  static read(file: string): LoadedStudyContent {
    let bytes: Buffer;
    try {
      bytes = readAtMost(file, MAX_STUDY_FILE_BYTES);
    } catch (error) {
      return {
        problems: [{ path: '$', message: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }],
      };
    }
    if (bytes.length > MAX_STUDY_FILE_BYTES) {
      return {
        problems: [
          {
            path: '$',
            message: `larger than ${MAX_STUDY_FILE_BYTES / 1024 / 1024} MiB, the limit for a study content file (is it the right file?)`,
          },
        ],
      };
    }
    const text = decodeUtf8(bytes);
    if (typeof text !== 'string') {
      return {
        problems: [
          { path: '$', message: `not UTF-8 (line ${text.line}, byte offset ${text.offset}); save the file as UTF-8` },
        ],
      };
    }
    const parsed = parseStudyContent(text);
    if ('problems' in parsed) return parsed;
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
    const content = Object.create(StudyContent.prototype) as StudyContent;
    Object.assign(content, {
      data: parsed.data,
      version: `${parsed.data.version}+${hash}`,
      placeholders: placeholderSurveyUrls(parsed.data),
    });
    return { content };
  }

  brand(brand: Brand): BrandContent {
    return this.data.brands[brand];
  }

  /** Steps 0–4 of think High ask questions 0–4 of the class, in order: never empty, never repeated. */
  question(brand: Brand, label: Label, step: number): string {
    const questions = this.data.brands[brand].questions[label];
    return questions[Math.min(step, questions.length - 1)];
  }

  paraphrase(label: Label, variant: number): string {
    const templates = this.data.paraphrase.templates;
    const summary = this.data.paraphrase.byLabel[label];
    // A function replacer: a string one would read `$&` or `$'` in the summary as patterns.
    return templates[variant % templates.length].replaceAll('{summary}', () => summary);
  }

  lowEffort(step: number): string {
    const replies = this.data.lowEffort;
    return replies[step % replies.length];
  }
}
