import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { AppConfig } from '../config/app-config';
import { AuditAction, AuditActor } from './admin-audit.entity';
import { AdminAuditRepository } from './admin-audit.repository';
import type { ConversationErasureResponseDto } from './conversation-erasure-response.dto';
import { ConversationRepository, type ErasedConversation } from './conversation.repository';
import { echoed } from '../common/echoed-value';

/** A conversation erasing by e-mail found: by its e-mail field, or by an address in its transcript only. */
export type ErasedByEmail = ConversationErasureResponseDto & { matchedBy: 'email' | 'transcript' };

/** What erasing by e-mail found and changed. */
export interface ErasureReport {
  /** Conversations that carried the address: `matchedByEmail` + `matchedByTranscript`. */
  matched: number;
  /** Found by their e-mail field (the address given at the e-mail step). */
  matchedByEmail: number;
  /** Found by an address typed or echoed in their transcript, their e-mail field holding another or none. */
  matchedByTranscript: number;
  /** Of those, the ones this erasure changed. */
  erased: number;
  conversations: ErasedByEmail[];
}

/** What a retention run did. */
export interface RetentionReport {
  /** Conversations created before this instant were aged out. */
  cutoff: string;
  /** Whether transcripts went too, or only e-mails. */
  transcripts: boolean;
  /** Conversations this run changed. */
  agedOut: number;
}

/** What retention leaves of an address a participant typed: the whole step-6 message, or the address elsewhere. */
export const EMAIL_REMOVED = '[e-mail removed]';

const DAY_MS = 24 * 3600 * 1000;

function erasureOf(conversation: ErasedConversation): ConversationErasureResponseDto {
  return {
    id: conversation.id,
    erasedAt: conversation.erasedAt.toISOString(),
    alreadyErased: !conversation.changed,
  };
}

/**
 * Participants' rights over their data: erasing one participant (by conversation or by e-mail) and retention
 * (DATA_RETENTION_DAYS), each recorded in the admin audit. The row of an erased conversation stays as an anonymous
 * tombstone so the design's arm counts stay true.
 */
@Injectable()
export class ParticipantDataService {
  private readonly logger = new Logger(ParticipantDataService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly conversations: ConversationRepository,
    private readonly audit: AdminAuditRepository,
  ) {}

  /** Erases one conversation; `CHAT.CONVERSATION_NOT_FOUND` (and nothing audited) for an unknown or malformed id. */
  async eraseConversation(id: string, actor: string): Promise<ConversationErasureResponseDto> {
    const [erased] = await this.conversations.erase({ id });
    if (!erased) throw new AppError(ErrorCode.ChatConversationNotFound, `No conversation ${echoed(id)}.`);
    await this.recordErasure(actor, 'conversation', [erased]);
    return erasureOf(erased);
  }

  /**
   * Erases every conversation that carries `email` (any letter case, accents composed or decomposed) in its e-mail
   * field or anywhere in its transcript; none is not an error.
   */
  async eraseByEmail(email: string, actor: string): Promise<ErasureReport> {
    const found = await this.conversations.erase({ email });
    const matches = {
      matchedByEmail: found.filter(({ matchedBy }) => matchedBy === 'email').length,
      matchedByTranscript: found.filter(({ matchedBy }) => matchedBy === 'transcript').length,
    };
    const erased = await this.recordErasure(actor, 'email', found, matches);
    return {
      matched: found.length,
      ...matches,
      erased,
      conversations: found.map((conversation) => ({
        ...erasureOf(conversation),
        matchedBy: conversation.matchedBy === 'transcript' ? 'transcript' : 'email',
      })),
    };
  }

  /** The audit names the conversations, never the e-mail asked for: the trail must not keep what was erased. */
  private async recordErasure(
    actor: string,
    by: 'conversation' | 'email',
    found: ErasedConversation[],
    matches: Pick<ErasureReport, 'matchedByEmail' | 'matchedByTranscript'> | Record<string, never> = {},
  ): Promise<number> {
    const erased = found.filter((conversation) => conversation.changed);
    if (erased.length > 0) this.logger.log(`erased ${erased.length} conversation(s) by ${by}`);
    await this.audit.record({
      actor,
      action: AuditAction.Erase,
      rows: erased.length,
      details: {
        by,
        conversations: found.map(({ id }) => id),
        alreadyErased: found.length - erased.length,
        ...matches,
      },
    });
    return erased.length;
  }

  /**
   * Removes the e-mails (and, with DATA_RETENTION_TRANSCRIPTS, the transcripts) of conversations created more
   * than DATA_RETENTION_DAYS ago. Null while retention is off. Idempotent: a second run changes nothing.
   */
  async applyRetention(now = new Date(), actor: string = AuditActor.Scheduler): Promise<RetentionReport | null> {
    const { retentionDays, retentionTranscripts } = this.config.participantData;
    if (retentionDays === null) return null;
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
    const agedOut = await this.conversations.ageOut(cutoff, retentionTranscripts, EMAIL_REMOVED);
    const removed = retentionTranscripts ? 'e-mails and transcripts' : 'e-mails';
    if (agedOut > 0) this.logger.log(`retention removed the ${removed} of ${agedOut} conversation(s)`);
    const report = { cutoff: cutoff.toISOString(), transcripts: retentionTranscripts, agedOut };
    await this.audit.record({
      actor,
      action: AuditAction.Retention,
      rows: agedOut,
      details: { days: retentionDays, cutoff: report.cutoff, transcripts: retentionTranscripts },
    });
    return report;
  }
}
