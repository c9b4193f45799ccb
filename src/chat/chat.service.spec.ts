import { AppConfig } from '../config/app-config';
import type { MetricsService } from '../metrics/metrics.service';
import type { ClassificationService } from '../ml/classification.service';
import type { ChatTurnResponseDto } from './chat-response.dto';
import { ConversationStatus, Step } from './chat.types';
import { ChatService } from './chat.service';
import type { ConditionAllocator } from './condition-allocator';
import type { ConversationEntity } from './conversation.entity';
import type { ConversationRepository, StepWrite } from './conversation.repository';
import { escapeHtmlText } from './html-escape';
import type { LlmClient } from './llm.client';
import { StudyContent } from './study-content.provider';

const ID = '9c1f2a7e-4b3d-4e8a-9f10-2b7c5d6e8a91';
const content = new StudyContent(new AppConfig({}));

/** A conversation of Basic / High / High waiting at `step`, classified B once past the complaint. */
function conversationAt(step: number, extra: Partial<ConversationEntity> = {}): ConversationEntity {
  return {
    id: ID,
    brand: 'Basic',
    thinkLevel: 'High',
    feelLevel: 'High',
    step,
    status: ConversationStatus.InProgress,
    label: step > Step.Complaint ? 'B' : null,
    scoreA: 0.1,
    scoreB: 0.7,
    scoreC: 0.1,
    scoreOther: 0.1,
    createdAt: new Date('2026-03-02T09:00:00.000Z'),
    completionCode: 'K7Q2M9XH4TZP',
    erasedAt: null,
    ...extra,
  } as ConversationEntity;
}

/**
 * The chat shell over a repository whose step write is always refused (another request, or an erasure, got to the
 * row first), `afterRefusal` being the row as it reads once refused, `stored` the reply a twin stored, if any.
 */
function serviceWhoseWriteIsRefused(
  before: ConversationEntity,
  afterRefusal: ConversationEntity | null,
  stored: object | null,
  findDelayMs = 0,
): { service: ChatService; writes: StepWrite[] } {
  const writes: StepWrite[] = [];
  let refused = false;
  const conversations = {
    findById: async (id: unknown) => {
      if (findDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, findDelayMs));
      return id !== ID ? null : refused ? afterRefusal : before;
    },
    storedReply: () => Promise.resolve(refused ? stored : null),
    saveStep: (write: StepWrite) => {
      writes.push(write);
      refused = true;
      return Promise.resolve(false);
    },
  } as unknown as ConversationRepository;
  const metrics = { chatTurns: { inc: () => undefined } } as unknown as MetricsService;
  const service = new ChatService(
    new AppConfig({}),
    conversations,
    {} as ConditionAllocator,
    content,
    {} as ClassificationService,
    { complete: () => Promise.resolve(null) } as unknown as LlmClient,
    metrics,
  );
  return { service, writes };
}

const post = (service: ChatService, message: string, index: number): Promise<ChatTurnResponseDto> =>
  service
    .turn('random', { message, index, scenario: { conversation_id: ID } }, undefined)
    .then(({ response }) => response);

describe('ChatService when its step write is refused', () => {
  it('answers what a concurrent twin stored for the step', async () => {
    const twin = { reply: 'the twin', index: 3, classType: 'B' };
    const { service, writes } = serviceWhoseWriteIsRefused(conversationAt(2), conversationAt(3), twin);
    await expect(post(service, 'my answer', 2)).resolves.toEqual(twin);
    expect(writes).toHaveLength(1);
  });

  it('tells a participant erased meanwhile that the conversation is over, never that the e-mail was saved', async () => {
    const erased = conversationAt(Step.Email, { erasedAt: new Date(), completionCode: null });
    const { service, writes } = serviceWhoseWriteIsRefused(conversationAt(Step.Email), erased, null);
    const response = await post(service, 'jane@example.org', Step.Email);
    expect(writes).toHaveLength(1);
    expect(response).toMatchObject({ reply: escapeHtmlText(content.brand('Basic').afterEnd), index: Step.Finished });
    expect(JSON.stringify(response)).not.toContain('K7Q2M9XH4TZP');
    expect(response.isHtml).toBeFalsy();
  });

  it('tells a participant erased meanwhile at a question step that the conversation is over, not the next question', async () => {
    const erased = conversationAt(2, { erasedAt: new Date(), completionCode: null });
    const { service } = serviceWhoseWriteIsRefused(conversationAt(2), erased, null);
    await expect(post(service, 'an answer', 2)).resolves.toMatchObject({
      reply: escapeHtmlText(content.brand('Basic').afterEnd),
      index: Step.Finished,
    });
  });

  it('treats a conversation gone meanwhile as over too', async () => {
    const { service } = serviceWhoseWriteIsRefused(conversationAt(2), null, null);
    await expect(post(service, 'an answer', 2)).resolves.toMatchObject({ index: Step.Finished });
  });
});

describe("ChatService: when the participant's message arrived", () => {
  it('tells the repository how long the step took since the message arrived, lookups included', async () => {
    const { service, writes } = serviceWhoseWriteIsRefused(conversationAt(2), conversationAt(3), { reply: 'x' }, 40);
    await post(service, 'my answer', 2);
    expect(writes).toHaveLength(1);
    expect(writes[0].handlingMs).toBeGreaterThanOrEqual(35);
    expect(writes[0].handlingMs).toBeLessThan(5_000);
  });
});

describe('ChatService at an entry point with a brand of its own', () => {
  it("refuses a turn naming another brand's conversation instead of starting a second one for the participant", async () => {
    const claims: string[] = [];
    const { service, writes } = serviceWhoseWriteIsRefused(conversationAt(0), null, null);
    Object.assign(service as unknown as { allocator: ConditionAllocator }, {
      allocator: { claim: (scope: string) => (claims.push(scope), Promise.reject(new Error('no draw expected'))) },
    });
    const turn = service.turn(
      'lulu',
      { message: 'my parcel is late', index: 0, scenario: { conversation_id: ID } },
      undefined,
    );
    await expect(turn).rejects.toMatchObject({ code: 'CHAT.WRONG_ENTRY_POINT' });
    expect({ claims, writes }).toEqual({ claims: [], writes: [] });
  });
});
