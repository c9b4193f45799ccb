import { Injectable } from '@nestjs/common';
import type { Label } from '../ml/ml.types';
import type { Brand, Level } from './chat.types';
import content from './study-content.json';

interface BrandContent {
  greeting: Record<Level, string>;
  questions: Record<Label, string[]>;
  understanding: Record<Level, string>;
  closing: string;
  invalidEmail: string;
  thankYou: string;
  surveyLinkText: string;
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

/** Every participant-facing text, from the one versioned file `study-content.json`. */
@Injectable()
export class StudyContent {
  readonly data: StudyContentData = content;

  get version(): string {
    return this.data.version;
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
    return templates[variant % templates.length].replace('{summary}', this.data.paraphrase.byLabel[label]);
  }

  lowEffort(step: number): string {
    const replies = this.data.lowEffort;
    return replies[step % replies.length];
  }
}
