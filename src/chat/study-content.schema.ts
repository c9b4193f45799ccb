import Joi from 'joi';
import { LABELS, type Label } from '../ml/ml.types';
import { BRANDS, type Brand, LEVELS, type Level } from './chat.types';
import { jsonSyntaxError, lineAndColumn } from '../common/json-syntax';

export interface BrandContent {
  greeting: Record<Level, string>;
  questions: Record<Label, string[]>;
  understanding: Record<Level, string>;
  closing: string;
  invalidEmail: string;
  /** Plain text around `{surveyLink}` (the anchor); may show `{completion_code}`. */
  thankYou: string;
  surveyLinkText: string;
  /** An absolute https URL; may hold the placeholders of SURVEY_URL_PLACEHOLDERS, URL-encoded on substitution. */
  surveyUrl: string;
  afterEnd: string;
}

export interface StudyContentData {
  version: string;
  brands: Record<Brand, BrandContent>;
  paraphrase: { templates: string[]; byLabel: Record<Label, string> };
  lowEffort: string[];
  llm: { paraphraseSystemPrompt: string; lowEffortSystemPrompt: string };
}

/** What a survey link may carry, so survey answers join the conversation without the e-mail. */
export const SURVEY_URL_PLACEHOLDERS = [
  'conversation_id',
  'brand',
  'think_level',
  'feel_level',
  'label',
  'completion_code',
] as const;
export type SurveyUrlPlaceholder = (typeof SURVEY_URL_PLACEHOLDERS)[number];

/** Scripted questions per class and brand: at least this many, so a think-High reply is never empty. */
export const MIN_QUESTIONS = 5;

/** Substitutes `{name}` placeholders with URL-encoded values; unknown names are left as they are. */
export function fillSurveyUrl(template: string, values: Record<SurveyUrlPlaceholder, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) =>
    (SURVEY_URL_PLACEHOLDERS as readonly string[]).includes(name)
      ? encodeURIComponent(values[name as SurveyUrlPlaceholder])
      : whole,
  );
}

const SAMPLE: Record<SurveyUrlPlaceholder, string> = {
  conversation_id: '00000000-0000-4000-8000-000000000000',
  brand: 'Basic',
  think_level: 'High',
  feel_level: 'Low',
  label: 'Other',
  completion_code: 'ABCDEFGHJKMN',
};

/**
 * A message for Joi that shows `{name}` as written: Joi reads braces in messages as references to fill in
 * (`{surveyLink}` would print as nothing), and a backslash before the brace keeps it literal.
 */
const literal = (message: string): string => message.replace(/\{/g, '\\{');

/** Text a participant reads: a string with something in it. */
const text = Joi.string()
  .pattern(/\S/)
  .message('must not be empty')
  .max(5000)
  .required()
  .messages({ 'string.empty': 'must not be empty' });
const byLevel = Joi.object(Object.fromEntries(LEVELS.map((level) => [level, text]))).required();

const surveyUrl = Joi.string()
  .required()
  .custom((value: string, helpers) => {
    const unknown = [...value.matchAll(/\{([^}]*)\}/g)]
      .map((match) => match[1])
      .filter((name) => !(SURVEY_URL_PLACEHOLDERS as readonly string[]).includes(name));
    if (unknown.length > 0) {
      return helpers.message({
        custom: literal(
          `unknown placeholder {${unknown[0]}}; use ${SURVEY_URL_PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}`,
        ),
      });
    }
    let url: URL;
    try {
      url = new URL(fillSurveyUrl(value, SAMPLE));
    } catch {
      return helpers.message({ custom: 'must be an absolute URL' });
    }
    if (url.protocol !== 'https:') return helpers.message({ custom: 'must be an https: URL' });
    return value;
  });

const brandSchema = Joi.object<BrandContent, true>({
  greeting: byLevel,
  questions: Joi.object(
    Object.fromEntries(LABELS.map((label) => [label, Joi.array().items(text).min(MIN_QUESTIONS).unique().required()])),
  ).required(),
  understanding: byLevel,
  closing: text,
  invalidEmail: text,
  thankYou: text.concat(
    Joi.string()
      .pattern(/\{surveyLink\}/)
      .message(literal('must contain {surveyLink}')),
  ),
  surveyLinkText: text,
  surveyUrl,
  afterEnd: text,
}).required();

/** The study content file's schema: both brands × both levels, every text non-empty, https survey links. */
export const studyContentSchema = Joi.object<StudyContentData, true>({
  version: Joi.string()
    .pattern(/^[A-Za-z0-9._-]{1,24}$/)
    .message('must be 1–24 letters, digits, dots, dashes or underscores')
    .required(),
  brands: Joi.object(Object.fromEntries(BRANDS.map((brand) => [brand, brandSchema]))).required(),
  paraphrase: Joi.object({
    templates: Joi.array()
      .items(
        text.concat(
          Joi.string()
            .pattern(/\{summary\}/)
            .message(literal('must contain {summary}')),
        ),
      )
      .min(1)
      .required(),
    byLabel: Joi.object(Object.fromEntries(LABELS.map((label) => [label, text]))).required(),
  }).required(),
  lowEffort: Joi.array().items(text).min(1).required(),
  llm: Joi.object({ paraphraseSystemPrompt: text, lowEffortSystemPrompt: text }).required(),
});

/** A problem at a place in the file: `$.brands.Lulu.questions.C: must contain at least 5 items`. */
export interface ContentProblem {
  path: string;
  message: string;
}

function jsonPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (out, key) =>
      typeof key === 'number' ? `${out}[${key}]` : /^[A-Za-z_]\w*$/.test(key) ? `${out}.${key}` : `${out}["${key}"]`,
    '$',
  );
}

/** Why a text JSON.parse refused is not JSON, and where, without quoting it. */
function notJson(raw: string): string {
  if (raw.trim() === '') return 'not valid JSON (the file is empty)';
  let fault: ReturnType<typeof jsonSyntaxError>;
  try {
    fault = jsonSyntaxError(raw);
  } catch {
    // Nesting deep enough to exhaust the stack: JSON.parse already said no, so say only that.
    fault = undefined;
  }
  return fault ? `not valid JSON (${lineAndColumn(raw, fault.at)}: ${fault.problem})` : 'not valid JSON';
}

/** Parses and validates a content file's text: the data, or every problem found. */
export function parseStudyContent(raw: string): { data: StudyContentData } | { problems: ContentProblem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { problems: [{ path: '$', message: notJson(raw) }] };
  }
  const result = studyContentSchema.validate(parsed, { abortEarly: false, convert: false });
  if (result.error) {
    return {
      problems: result.error.details.map((detail) => ({
        path: jsonPath(detail.path),
        message: detail.message.replace(/^"[^"]*" /, ''),
      })),
    };
  }
  return { data: result.value };
}

/** Survey URLs still on documentation domains (example.org/.com/.net): the study was not configured yet. */
export function placeholderSurveyUrls(data: StudyContentData): { brand: Brand; url: string }[] {
  return BRANDS.map((brand) => ({ brand, url: data.brands[brand].surveyUrl })).filter(({ url }) =>
    /^(.*\.)?example\.(org|com|net)$/i.test(new URL(fillSurveyUrl(url, SAMPLE)).hostname),
  );
}
