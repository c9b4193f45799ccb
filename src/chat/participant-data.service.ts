import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import type { ConversationErasureResponseDto } from './conversation-erasure-response.dto';
import { ConversationRepository, type ErasedConversation } from './conversation.repository';

/** What erasing by e-mail found and changed. */
export interface ErasureReport {
  /** Conversations that carried the address. */
  matched: number;
  /** Of those, the ones this erasure changed. */
  erased: number;
  conversations: ConversationErasureResponseDto[];
}

function erasureOf(conversation: ErasedConversation): ConversationErasureResponseDto {
  return {
    id: conversation.id,
    erasedAt: conversation.erasedAt.toISOString(),
    alreadyErased: !conversation.changed,
  };
}

/**
 * Participants' rights over their data: erasing one participant (by conversation or by e-mail). The row of an
 * erased conversation stays as an anonymous tombstone so the design's arm counts stay true.
 */
@Injectable()
export class ParticipantDataService {
  private readonly logger = new Logger(ParticipantDataService.name);

  constructor(private readonly conversations: ConversationRepository) {}

  /** Erases one conversation; `CHAT.CONVERSATION_NOT_FOUND` for an unknown or malformed id. */
  async eraseConversation(id: string): Promise<ConversationErasureResponseDto> {
    const [erased] = await this.conversations.erase({ id });
    if (!erased) throw new AppError(ErrorCode.ChatConversationNotFound, `No conversation ${id}.`);
    if (erased.changed) this.logger.log(`erased conversation ${erased.id}`);
    return erasureOf(erased);
  }

  /** Erases every conversation that carries `email` (any letter case); none is not an error. */
  async eraseByEmail(email: string): Promise<ErasureReport> {
    const found = await this.conversations.erase({ email });
    const erased = found.filter((conversation) => conversation.changed).length;
    if (erased > 0) this.logger.log(`erased ${erased} conversation(s) by e-mail`);
    return { matched: found.length, erased, conversations: found.map(erasureOf) };
  }
}
