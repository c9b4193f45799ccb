import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { isFirstProcess } from '../common/cluster-process';
import { PROCESS_ROLE, type ProcessRole } from '../config/process-role';
import { ConversationRepository } from './conversation.repository';
import { StudyContent } from './study-content.provider';

/** The start-up line when conversations in progress began under other study content than this process serves. */
export function otherVersionsWarning(current: string, others: { version: string; count: number }[]): string {
  const total = others.reduce((sum, { count }) => sum + count, 0);
  const list = others.map(({ version, count }) => `${version}: ${count}`).join(', ');
  return (
    `STUDY CONTENT: ${total} conversation(s) in progress began under another study version (${list}); their ` +
    `remaining turns show this file's texts (${current}) while they keep the version they began with. Filter on ` +
    'content_version when analysing them, or let conversations finish before changing the study file.'
  );
}

/**
 * Changing the study file while participants are mid-conversation mixes two versions in those conversations; the
 * stored version is the one they began with. Checked once at start in the API (which serves the turns) so the
 * researcher who changed the file hears it where they start the service. Only a warning: nothing is refused.
 */
@Injectable()
export class StudyVersionCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(StudyVersionCheck.name);

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly content: StudyContent,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  onApplicationBootstrap(): void {
    // Start-up never waits for advice.
    void this.run();
  }

  async run(): Promise<void> {
    // Every HTTP process of a cluster reads the same table: one of them says it.
    if (this.role !== 'api' || !isFirstProcess()) return;
    // An unreadable table is the probes' business (the database is reported down there), not this check's.
    const others = await this.conversations.inProgressOfOtherVersions(this.content.version).catch(() => []);
    if (others.length > 0) this.logger.warn(otherVersionsWarning(this.content.version, others));
  }
}
