import { LABELS } from '../ml/ml.types';
import { BRANDS } from './chat.types';
import { withoutPassword, type StudyContent } from './study-content.provider';
import { SURVEY_URL_PLACEHOLDERS, surveyLinkConcerns, surveyLinkWarning } from './study-content.schema';

/** What `study:check` says about a valid content file: a summary to read, and warnings worth acting on. */
export interface StudySummary {
  lines: string[];
  warnings: string[];
}

const placeholdersIn = (text: string): string[] =>
  [...text.matchAll(/\{([a-z_]+)\}/g)]
    .map((match) => match[1])
    .filter((name) => (SURVEY_URL_PLACEHOLDERS as readonly string[]).includes(name));

export function studySummary(content: StudyContent): StudySummary {
  const { data } = content;
  const declared = data.version;
  const lines = [
    `version: ${content.version} (declared ${declared}, then the first 8 hex digits of the file's SHA-256; stored on every conversation)`,
    `brands: ${BRANDS.join(', ')}`,
    'questions per class:',
    ...BRANDS.map(
      (brand) =>
        `  ${brand}: ${LABELS.map((label) => `${label} ${data.brands[brand].questions[label].length}`).join(', ')}`,
    ),
    `paraphrase templates: ${data.paraphrase.templates.length}; low-effort replies: ${data.lowEffort.length}`,
    'survey links:',
  ];
  const warnings: string[] = [];
  for (const brand of BRANDS) {
    const { surveyUrl, thankYou } = data.brands[brand];
    const used = placeholdersIn(surveyUrl);
    lines.push(`  ${brand}: ${withoutPassword(surveyUrl)}`);
    lines.push(`    placeholders: ${used.length > 0 ? used.map((name) => `{${name}}`).join(', ') : 'none'}`);
    const codeShown = placeholdersIn(thankYou).includes('completion_code');
    lines.push(`    thank-you shows the completion code: ${codeShown ? 'yes' : 'no'}`);
    if (!used.includes('conversation_id') && !used.includes('completion_code') && !codeShown) {
      warnings.push(
        `${brand}: survey answers cannot be joined to conversations: the survey link carries neither ` +
          '{conversation_id} nor {completion_code}, and the thank-you does not show {completion_code}',
      );
    }
  }
  warnings.push(...surveyLinkConcerns(data).map(surveyLinkWarning));
  return { lines, warnings };
}
