import { BlockList, isIP } from 'node:net';
import Joi from 'joi';
import { LABELS, type Label } from '../ml/ml.types';
import { BRANDS, type Brand, LEVELS, type Level } from './chat.types';
import { duplicateKeys, jsonSyntaxError, lineAndColumn } from '../common/json-syntax';
import { TEXT_PROBLEMS, textProblem } from './participant-text';

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

/**
 * The `{name}` placeholders each text fills, as the code that renders it does (`fillSurveyUrl`, the thank-you's
 * anchor and completion code, `StudyContent.paraphrase`). Every other text fills none: a `{name}` in it would reach
 * participants (or the LLM) as typed.
 */
export const TEXT_PLACEHOLDERS = {
  surveyUrl: SURVEY_URL_PLACEHOLDERS,
  thankYou: ['surveyLink', 'completion_code'],
  'paraphrase.templates': ['summary'],
} as const satisfies Record<string, readonly string[]>;

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

const braced = (names: readonly string[]): string => names.map((name) => `{${name}}`).join(', ');

/** Every name some text fills. */
const KNOWN_NAMES: readonly string[] = [...new Set(Object.values(TEXT_PLACEHOLDERS).flat())];

/**
 * What between braces reads as a placeholder's name, and is reported as one: a letter (of any script) or `_` right
 * after the brace, then letters, digits, `_`, `.`, `-` and spaces (`{prénom}`, `{имя}`, `{first name}`). Code
 * and JSON in an LLM prompt (`{"a": 1}`, `{ x }`, `{label: value}`) do not, except a padded name that some text
 * fills (`{ surveyLink }`), which can only be a placeholder typed loosely.
 */
const NAME_LIKE = /^(\s*)([\p{L}_][\p{L}\p{M}\p{N}_.-]*(?: +[\p{L}\p{M}\p{N}_.-]+)*)\s*$/u;

/** The name the content of a pair of braces reads as, or null for braces that are prose, code or JSON. */
function nameIn(content: string): string | null {
  const match = NAME_LIKE.exec(content);
  if (match === null) return null;
  const [, padding, name] = match;
  return padding === '' || KNOWN_NAMES.some((known) => known.toLowerCase() === name.toLowerCase()) ? name : null;
}

/** Pairs of doubled braces, pairs of braces (neither holding a brace) and lone braces, in the order of the text. */
const BRACES = /\{\{([^{}]*)\}\}|\{([^{}]*)\}|[{}]/g;

/**
 * What is wrong with the placeholders of a text that fills `accepted` (`unknown placeholder {x}; use {a}, {b}`),
 * or null. In a survey link (`loneBraceHint` given) every brace belongs to a placeholder: a lone one, or a pair
 * around anything but an accepted name, is refused, since it would stay in the link unencoded. In the other texts
 * (the thank-you, the paraphrase templates) braces that hold no name are shown as typed, as in any text, so only a
 * `{name}` the text does not fill, or a doubled one, is refused.
 */
function fillingProblem(value: string, accepted: readonly string[], loneBraceHint?: string): string | null {
  const strict = loneBraceHint !== undefined;
  const problems = new Set<string>();
  for (const [token, doubled, single] of value.matchAll(BRACES)) {
    const content = doubled ?? single;
    if (content === undefined) {
      if (strict) problems.add(`${token === '{' ? 'a { without its }' : 'a } without its {'}${loneBraceHint}`);
      continue;
    }
    const name = strict ? content.trim() : nameIn(content);
    if (name === null || (doubled === undefined && accepted.includes(content))) continue;
    if (doubled !== undefined && accepted.includes(doubled)) {
      problems.add(`{{${doubled}}} has double braces (write {${doubled}})`);
      continue;
    }
    const hint = accepted.includes(name)
      ? ` (write {${name}})`
      : accepted
          .filter((each) => each.toLowerCase() === name.toLowerCase())
          .map((each) => ` (names are case-sensitive: {${each}})`)
          .join('');
    problems.add(`unknown placeholder ${token}${hint}`);
  }
  return problems.size > 0 ? `${[...problems].join('; ')}; use ${braced(accepted)}` : null;
}

/**
 * What is wrong with a text that fills no placeholder, or null: a `{name}` (in one or two pairs of braces) would be
 * shown as typed. Other braces are prose, or JSON or code in an LLM prompt, and stay.
 */
function plainProblem(value: string): string | null {
  const problems = new Set<string>();
  for (const [token, doubled, single] of value.matchAll(BRACES)) {
    const name = nameIn(doubled ?? single ?? '');
    if (name === null) continue;
    const known = KNOWN_NAMES.find((each) => each.toLowerCase() === name.toLowerCase());
    const fillers = Object.entries(TEXT_PLACEHOLDERS)
      .filter(([, names]) => known !== undefined && (names as readonly string[]).includes(known))
      .map(([field]) => field);
    const where =
      known === undefined ? '' : ` (only ${fillers.join(' and ')} fill${fillers.length > 1 ? '' : 's'} {${known}})`;
    problems.add(`unknown placeholder ${token}${where}`);
  }
  return problems.size > 0 ? `${[...problems].join('; ')}; this text takes no placeholders` : null;
}

/**
 * A text the chat says (or the LLM reads), before any placeholder rule: what the chat would take as a message from a
 * participant (`textProblem`: not blank, no control characters but tab, line feed and carriage return, no half of a
 * surrogate pair), so the file cannot make the chat say what the page would hide or a terminal would run.
 */
const chatText = Joi.string()
  .max(5000)
  .required()
  .messages({ 'string.empty': TEXT_PROBLEMS.empty })
  .custom((value: string, helpers) => {
    const problem = textProblem(value);
    return problem === null ? value : helpers.message({ custom: TEXT_PROBLEMS[problem] });
  });

/** Text a participant (or the LLM) reads that fills `placeholders`; none unless given. */
const textFilling = (placeholders: readonly string[] = []): Joi.StringSchema =>
  chatText.custom((value: string, helpers) => {
    const problem = placeholders.length > 0 ? fillingProblem(value, placeholders) : plainProblem(value);
    return problem === null ? value : helpers.message({ custom: literal(problem) });
  });
const text = textFilling();

/**
 * An item schema of a list. Joi reads a required item schema as "the list must hold one item matching it", and adds
 * `does not contain 1 required value(s)` to the list's own problem (empty, or no item valid): each item is checked
 * all the same, and the list's length has its own rule.
 */
const listed = (item: Joi.StringSchema): Joi.StringSchema => item.optional();
const AT_LEAST_ONE = { 'array.min': 'must contain at least 1 item' };

const byLevel = Joi.object(Object.fromEntries(LEVELS.map((level) => [level, text]))).required();

const surveyUrl = Joi.string()
  .required()
  .custom((value: string, helpers) => {
    const problem = fillingProblem(value, SURVEY_URL_PLACEHOLDERS, ' (write %7B or %7D for a brace in the URL)');
    if (problem !== null) return helpers.message({ custom: literal(problem) });
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
    Object.fromEntries(
      LABELS.map((label) => [label, Joi.array().items(listed(text)).min(MIN_QUESTIONS).unique().required()]),
    ),
  ).required(),
  understanding: byLevel,
  closing: text,
  invalidEmail: text,
  thankYou: textFilling(TEXT_PLACEHOLDERS.thankYou).concat(
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
        listed(
          textFilling(TEXT_PLACEHOLDERS['paraphrase.templates']).concat(
            Joi.string()
              .pattern(/\{summary\}/)
              .message(literal('must contain {summary}')),
          ),
        ),
      )
      .min(1)
      .messages(AT_LEAST_ONE)
      .required(),
    byLabel: Joi.object(Object.fromEntries(LABELS.map((label) => [label, text]))).required(),
  }).required(),
  lowEffort: Joi.array().items(listed(text)).min(1).messages(AT_LEAST_ONE).required(),
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

/**
 * The path of every `__proto__` key in `value`. JSON.parse makes one an own key like any other, but Joi's check of
 * unknown keys never reports it (and leaves it out of the value it returns): any other key the schema does not name
 * is refused, this one would pass in silence. Walked with a list, not recursion: any depth JSON.parse took.
 */
function protoKeyPaths(value: unknown): (string | number)[][] {
  const found: (string | number)[][] = [];
  const pending: { at: unknown; path: (string | number)[] }[] = [{ at: value, path: [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { at, path } = next;
    if (at === null || typeof at !== 'object') continue;
    if (!Array.isArray(at) && Object.hasOwn(at, '__proto__')) found.push([...path, '__proto__']);
    for (const [key, item] of Object.entries(at)) {
      pending.push({ at: item, path: [...path, Array.isArray(at) ? Number(key) : key] });
    }
  }
  return found;
}

/** Whether `path` is `ancestor` or lies inside it. */
const isWithin = (path: (string | number)[], ancestor: (string | number)[]): boolean =>
  ancestor.length <= path.length && ancestor.every((key, i) => path[i] === key);

/** Parses and validates a content file's text: the data, or every problem found. */
export function parseStudyContent(raw: string): { data: StudyContentData } | { problems: ContentProblem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { problems: [{ path: '$', message: notJson(raw) }] };
  }
  const lineOf = (at: number): number => raw.slice(0, at).split('\n').length;
  const problems: ContentProblem[] = duplicateKeys(raw).map(({ path, at, firstAt }) => ({
    path: jsonPath(path),
    message: `duplicate key (line ${lineOf(at)}; first on line ${lineOf(firstAt)}): only the last would count`,
  }));
  const result = studyContentSchema.validate(parsed, { abortEarly: false, convert: false });
  const details = result.error?.details ?? [];
  for (const detail of details) {
    problems.push({ path: jsonPath(detail.path), message: detail.message.replace(/^"[^"]*" /, '') });
  }
  // Refused as Joi refuses any key the schema does not name; not again inside a value already refused (an object
  // where a text belongs).
  for (const path of protoKeyPaths(parsed)) {
    if (details.some((detail) => isWithin(path.slice(0, -1), detail.path))) continue;
    problems.push({ path: jsonPath(path), message: 'is not allowed' });
  }
  return problems.length > 0 ? { problems } : { data: result.value as StudyContentData };
}

/** Why a survey link that passed the schema still looks wrong: a warning, since a pilot may mean it. */
export type SurveyLinkConcern =
  | 'a documentation domain'
  | 'a local or private address'
  | 'a reserved name'
  | 'a documentation address'
  | 'a user name or password'
  | 'a Prolific completion link';

/**
 * Loopback, private (RFC 1918, IPv6 unique local), shared (carrier-grade NAT, RFC 6598), link-local and unspecified
 * addresses.
 */
const LOCAL_NETWORKS = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  LOCAL_NETWORKS.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  LOCAL_NETWORKS.addSubnet(network, prefix, 'ipv6');
}

/** The address blocks reserved for documentation (RFC 5737, RFC 3849): no host on the internet has one. */
const DOCUMENTATION_NETWORKS = new BlockList();
for (const network of ['192.0.2.0', '198.51.100.0', '203.0.113.0']) {
  DOCUMENTATION_NETWORKS.addSubnet(network, 24, 'ipv4');
}
DOCUMENTATION_NETWORKS.addSubnet('2001:db8::', 32, 'ipv6');

/** Whether a (normalised) host is an IP address in `networks`; IPv4-mapped IPv6 counts as its IPv4. */
function isIn(networks: BlockList, host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(address);
  return family !== 0 && networks.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Whether a (normalised) host names this machine or a private network: `localhost`, a name under `.localhost`,
 * `.local` (multicast DNS) or `.home.arpa` (home networks), a name of one label (`intranet`, resolved by a local
 * search domain only), or an address of LOCAL_NETWORKS.
 */
function isLocalHost(host: string): boolean {
  if (/(^|\.)(localhost|local|home\.arpa)$/.test(host)) return true;
  if (isIP(host.replace(/^\[(.*)\]$/, '$1')) === 0) return !host.includes('.');
  return isIn(LOCAL_NETWORKS, host);
}

/**
 * What looks wrong with each brand's survey link: still on a documentation domain (example.org/.com/.net, the
 * study not configured yet), on this machine or a private network, on a name that never resolves publicly (under
 * `.example`, `.test`, `.invalid`: RFC 2606) or a documentation address, or carrying a user name or password. The
 * host is lowercased without a trailing dot, so `survey.EXAMPLE.com.` is the documentation domain it names.
 */
export function surveyLinkConcerns(
  data: StudyContentData,
): { brand: Brand; url: string; host: string; concern: SurveyLinkConcern }[] {
  return BRANDS.flatMap((brand) => {
    const url = data.brands[brand].surveyUrl;
    const parsed = new URL(fillSurveyUrl(url, SAMPLE));
    const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
    const concerns: SurveyLinkConcern[] = [];
    if (/^(.*\.)?example\.(org|com|net)$/.test(host)) concerns.push('a documentation domain');
    else if (/\.(example|test|invalid)$/.test(host)) concerns.push('a reserved name');
    else if (isIn(DOCUMENTATION_NETWORKS, host)) concerns.push('a documentation address');
    else if (isLocalHost(host)) concerns.push('a local or private address');
    if (parsed.username !== '' || parsed.password !== '') concerns.push('a user name or password');
    // Prolific's completion code is the Prolific study's, set in Prolific: the link belongs at the survey's end.
    if (/(^|\.)prolific\.(com|co)$/.test(host) && parsed.pathname.startsWith('/submissions/complete')) {
      concerns.push('a Prolific completion link');
    }
    return concerns.map((concern) => ({ brand, url, host, concern }));
  });
}

/** Survey URLs still on documentation domains (example.org/.com/.net): the study was not configured yet. */
export function placeholderSurveyUrls(data: StudyContentData): { brand: Brand; url: string }[] {
  return surveyLinkConcerns(data)
    .filter(({ concern }) => concern === 'a documentation domain')
    .map(({ brand, url }) => ({ brand, url }));
}

/** The warning `study:check` prints, and the start logs, for a concern; never the link's password. */
export function surveyLinkWarning({
  brand,
  host,
  concern,
}: {
  brand: Brand;
  host: string;
  concern: SurveyLinkConcern;
}): string {
  switch (concern) {
    case 'a documentation domain':
      return (
        `${brand}: the survey link is on ${host}, a documentation domain: participants would reach no survey, and ` +
        'the service reports study: down in its health until it points at the study’s survey'
      );
    case 'a reserved name':
      return (
        `${brand}: the survey link is on ${host}, a reserved name that resolves nowhere on the internet: ` +
        'participants would reach no survey'
      );
    case 'a documentation address':
      return (
        `${brand}: the survey link is on ${host}, an address reserved for documentation: participants would ` +
        'reach no survey'
      );
    case 'a local or private address':
      return (
        `${brand}: the survey link is on ${host}, a local or private address: participants outside that network ` +
        'would reach no survey'
      );
    case 'a user name or password':
      return (
        `${brand}: the survey link carries a user name or password: every participant would read it, and ` +
        'browsers warn about such links'
      );
    case 'a Prolific completion link':
      return (
        `${brand}: the survey link is Prolific's completion link: Prolific accepts only its own study's code there ` +
        "(not a conversation's) and participants would skip the survey; link the survey, and end the survey " +
        'with the redirect to Prolific'
      );
  }
}
