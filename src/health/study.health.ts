import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { StudyContent } from '../chat/study-content.provider';

/**
 * The study content in use: down (so `/api/health` says degraded) while its survey links still point at a
 * documentation domain, i.e. nobody configured the study yet. Participants are served either way.
 */
@Injectable()
export class StudyHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly content: StudyContent,
  ) {}

  check(key = 'study') {
    const indicator = this.health.check(key);
    const data = { version: this.content.version };
    if (this.content.placeholders.length === 0) return indicator.up(data);
    return indicator.down({
      ...data,
      message: `placeholder survey links (${this.content.placeholders.map(({ brand }) => brand).join(', ')}): set STUDY_CONTENT_FILE`,
    });
  }
}
