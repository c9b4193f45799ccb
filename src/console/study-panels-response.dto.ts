import { ApiProperty, IntersectionType, OmitType, PickType } from '@nestjs/swagger';
import { AbandonReason, BRANDS, ConversationOrigin, LEVELS } from '../chat/chat.types';
import type {
  AbandonedBy,
  ArmKey,
  AttritionTest,
  ArmRow,
  ArmsPanel,
  ConversationPage,
  ConversationSummary,
  ConversationTranscript,
  DurationStats,
  DurationsArm,
  DurationsPanel,
  FunnelArm,
  FunnelPanel,
  FunnelStep,
  HealthPart,
  LabelCounts,
  LabelsArm,
  LabelsPanel,
  QueueRow,
  ScopeBalance,
  ScoreBucket,
  ServicePanel,
  StudyPanelHeader,
  TimelinePanel,
  TimelinePoint,
  TranscriptTurn,
} from './console.types';
import { ATTRITION_VERDICTS } from './console.types';

const ABANDON_REASONS = Object.values(AbandonReason);
const ORIGINS = Object.values(ConversationOrigin);

const GENERATED_AT = { format: 'date-time', description: 'When the server read the figures.' } as const;

export class StudyPanelHeaderDto implements StudyPanelHeader {
  @ApiProperty(GENERATED_AT)
  generatedAt!: string;

  @ApiProperty({
    enum: ORIGINS,
    nullable: true,
    description: 'The origin the figures are limited to (the query’s `origin`); null: every conversation.',
  })
  origin!: string | null;
}

export class ArmKeyDto implements ArmKey {
  @ApiProperty({ enum: BRANDS })
  brand!: string;

  @ApiProperty({ enum: LEVELS })
  thinkLevel!: string;

  @ApiProperty({ enum: LEVELS })
  feelLevel!: string;
}

export class ArmRowDto extends ArmKeyDto implements ArmRow {
  @ApiProperty({ description: 'Conversations on this arm, whatever their state.' })
  started!: number;

  @ApiProperty()
  inProgress!: number;

  @ApiProperty()
  completed!: number;

  @ApiProperty()
  abandoned!: number;

  @ApiProperty({ description: 'Condition slots this arm holds, over every scope.' })
  assigned!: number;

  @ApiProperty({ description: 'Completions this arm lacks to equal the arm with the most.' })
  completedBehind!: number;
}

export class ScopeBalanceDto implements ScopeBalance {
  @ApiProperty({ description: 'random (the /api/random entry, all 8 arms), or a fixed brand (its 4 arms).' })
  scope!: string;

  @ApiProperty({ description: 'Blocks opened (each holds every arm of the scope once).' })
  blocks!: number;

  @ApiProperty({ description: 'Slots opened and not taken yet.' })
  freeSlots!: number;

  @ApiProperty()
  assignedMin!: number;

  @ApiProperty()
  assignedMax!: number;

  @ApiProperty({ description: 'assignedMax − assignedMin.' })
  spread!: number;

  @ApiProperty({ description: 'spread ≤ 1: no arm ahead of another by more than one block, as promised.' })
  balanced!: boolean;
}

export class AttritionTestDto implements AttritionTest {
  @ApiProperty({
    enum: ATTRITION_VERDICTS,
    description:
      'tested; too_few_arms: fewer than two arms have an ended conversation; no_variation: none (or every one) was ' +
      'abandoned; too_few_conversations: expected counts too small for χ² (Cochran: any below 1, or more than a ' +
      'fifth below 5).',
  })
  verdict!: AttritionTest['verdict'];

  @ApiProperty({ description: 'Conversations that ended (completed or abandoned) in the arms compared.' })
  ended!: number;

  @ApiProperty({ description: 'Of those, how many were abandoned.' })
  abandoned!: number;

  @ApiProperty({ description: 'Arms with at least one ended conversation.' })
  arms!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Pearson’s χ² of arm × outcome; null when not tested.' })
  chiSquare!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Arms compared − 1; null when not tested.' })
  degreesOfFreedom!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'P(χ² ≥ chiSquare) if arm and outcome were independent; null when not tested.',
  })
  pValue!: number | null;
}

export class ArmsPanelResponseDto extends StudyPanelHeaderDto implements ArmsPanel {
  @ApiProperty({ type: [ArmRowDto], description: 'The 8 arms, brand × think × feel.' })
  arms!: ArmRowDto[];

  @ApiProperty({ type: [ScopeBalanceDto] })
  scopes!: ScopeBalanceDto[];

  @ApiProperty({ description: 'Most minus fewest completions over the arms.' })
  completedSpread!: number;

  @ApiProperty({ description: 'Most minus fewest started conversations over the arms.' })
  startedSpread!: number;

  @ApiProperty({
    description:
      'How many of the conversations counted started without the greeting (origin no_greeting: load tests, or a ' +
      'client that skipped the greeting).',
  })
  startedWithoutGreeting!: number;

  @ApiProperty({
    type: AttritionTestDto,
    description: 'Whether the share of ended conversations that were abandoned differs between arms.',
  })
  attrition!: AttritionTestDto;
}

export class AbandonedByDto implements AbandonedBy {
  @ApiProperty({ description: 'Idle past CONVERSATION_TTL.' })
  idle!: number;

  @ApiProperty({ description: 'Reset by the page.' })
  reset!: number;

  @ApiProperty({ description: 'Erased while in progress.' })
  erased!: number;

  @ApiProperty({ description: 'Abandoned before the service stored why.' })
  unrecorded!: number;
}

export class FunnelStepDto implements FunnelStep {
  @ApiProperty({ description: 'The step the participant is asked (0 the complaint … 6 the e-mail).' })
  step!: number;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'Conversations that got as far as this step.' })
  reached!: number;

  @ApiProperty({ description: 'Of those, how many answered it.' })
  answered!: number;

  @ApiProperty({ description: 'Abandoned while at this step.' })
  abandonedHere!: number;

  @ApiProperty({ type: AbandonedByDto, description: 'Those abandoned here, by why.' })
  abandonedBy!: AbandonedByDto;

  @ApiProperty({ description: 'In progress at this step now.' })
  waitingHere!: number;
}

export class FunnelArmDto extends ArmKeyDto implements FunnelArm {
  @ApiProperty()
  started!: number;

  @ApiProperty()
  completed!: number;

  @ApiProperty({ type: [FunnelStepDto] })
  steps!: FunnelStepDto[];
}

export class FunnelPanelResponseDto extends StudyPanelHeaderDto implements FunnelPanel {
  @ApiProperty()
  started!: number;

  @ApiProperty()
  completed!: number;

  @ApiProperty({ type: [FunnelStepDto] })
  steps!: FunnelStepDto[];

  @ApiProperty({ type: [FunnelArmDto], nullable: true, description: 'Per arm, with byArm=true; null otherwise.' })
  arms!: FunnelArmDto[] | null;
}

export class LabelCountsDto implements LabelCounts {
  @ApiProperty({ description: 'A: a product problem.' })
  A!: number;

  @ApiProperty({ description: 'B: a delivery problem.' })
  B!: number;

  @ApiProperty({ description: 'C: a bad interaction with an employee.' })
  C!: number;

  @ApiProperty()
  Other!: number;

  @ApiProperty({ description: 'Not classified yet: no complaint sent.' })
  unclassified!: number;
}

export class LabelsArmDto extends ArmKeyDto implements LabelsArm {
  @ApiProperty({ type: LabelCountsDto })
  counts!: LabelCountsDto;
}

/** Per label chosen: a top score exists only once a conversation is classified. */
export class ScoreLabelCountsDto extends OmitType(LabelCountsDto, ['unclassified'] as const) {}

export class ScoreBucketDto implements ScoreBucket {
  @ApiProperty({ description: 'Lower bound (inclusive).' })
  from!: number;

  @ApiProperty({ description: 'Upper bound (exclusive; the last bucket includes 1).' })
  to!: number;

  @ApiProperty({ type: ScoreLabelCountsDto, description: 'Conversations per chosen label.' })
  counts!: ScoreLabelCountsDto;

  @ApiProperty()
  total!: number;
}

export class LabelsPanelResponseDto extends StudyPanelHeaderDto implements LabelsPanel {
  @ApiProperty({ type: LabelCountsDto })
  totals!: LabelCountsDto;

  @ApiProperty({ type: [LabelsArmDto] })
  arms!: LabelsArmDto[];

  @ApiProperty({ type: [ScoreBucketDto], description: 'The top score (confidence in the chosen label), 20 buckets.' })
  topScore!: ScoreBucketDto[];
}

export class TimelinePointDto implements TimelinePoint {
  @ApiProperty({ format: 'date-time', description: 'Start of the bucket, as an instant (UTC).' })
  at!: string;

  @ApiProperty()
  started!: number;

  @ApiProperty()
  completed!: number;
}

export class TimelinePanelResponseDto extends StudyPanelHeaderDto implements TimelinePanel {
  @ApiProperty({ enum: ['hour', 'day'] })
  bucket!: 'hour' | 'day';

  @ApiProperty({
    example: 'Europe/Berlin',
    description: 'The IANA time zone whose local hours or days the buckets are: the `tz` asked for, else UTC.',
  })
  timeZone!: string;

  @ApiProperty({ format: 'date-time', description: 'Start of the first bucket.' })
  since!: string;

  @ApiProperty({ type: [TimelinePointDto] })
  points!: TimelinePointDto[];
}

export class DurationStatsDto implements DurationStats {
  @ApiProperty({ description: 'Completed conversations measured.' })
  completed!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'First quartile, ms (percentile_cont).' })
  q1Ms!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  medianMs!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  q3Ms!: number | null;
}

export class DurationsArmDto extends IntersectionType(ArmKeyDto, DurationStatsDto) implements DurationsArm {}

export class DurationsPanelResponseDto extends StudyPanelHeaderDto implements DurationsPanel {
  @ApiProperty({ type: DurationStatsDto })
  overall!: DurationStatsDto;

  @ApiProperty({ type: [DurationsArmDto] })
  arms!: DurationsArmDto[];
}

export class QueueRowDto implements QueueRow {
  @ApiProperty()
  name!: string;

  @ApiProperty()
  waiting!: number;

  @ApiProperty()
  active!: number;

  @ApiProperty()
  completed!: number;

  @ApiProperty()
  failed!: number;

  @ApiProperty()
  delayed!: number;

  @ApiProperty({ description: 'Processes consuming the queue.' })
  workers!: number;
}

export class HealthPartDto implements HealthPart {
  @ApiProperty()
  name!: string;

  @ApiProperty({ example: 'up' })
  status!: string;
}

export class ServicePanelResponseDto implements ServicePanel {
  @ApiProperty(GENERATED_AT)
  generatedAt!: string;

  @ApiProperty()
  uptimeSeconds!: number;

  @ApiProperty({ description: 'HTTP requests answered since start.' })
  requestsTotal!: number;

  @ApiProperty({ description: 'Over the last minute of console refreshes (since start, on the first).' })
  requestsPerSecond!: number;

  @ApiProperty({ description: 'Share answered 500 or above.' })
  failureRate!: number;

  @ApiProperty({ description: 'Over the latest 2,048 requests.' })
  latencyP50Ms!: number;

  @ApiProperty()
  latencyP95Ms!: number;

  @ApiProperty({ description: 'MAX_CONCURRENT_ML_OPERATIONS.' })
  semaphoreLimit!: number;

  @ApiProperty()
  semaphoreActive!: number;

  @ApiProperty()
  semaphoreWaiting!: number;

  @ApiProperty({ enum: ['redis', 'memory'] })
  cacheBackend!: string;

  @ApiProperty()
  cacheHitRate!: number;

  @ApiProperty({ type: [String], description: 'id@revision of the models in memory.' })
  modelsLoaded!: string[];

  @ApiProperty({ type: [String] })
  modelsLoading!: string[];

  @ApiProperty({ type: String, nullable: true })
  modelLastError!: string | null;

  @ApiProperty()
  inferenceWorkers!: number;

  @ApiProperty({ enum: ['bull', 'in-process'] })
  queueBackend!: string;

  @ApiProperty({ type: [QueueRowDto], nullable: true, description: 'null when the queues did not answer in time.' })
  queues!: QueueRowDto[] | null;

  @ApiProperty({ enum: ['ok', 'degraded', 'error'], description: 'The health report’s status.' })
  readiness!: string;

  @ApiProperty({ type: [HealthPartDto] })
  healthParts!: HealthPartDto[];
}

export class ConversationSummaryDto extends ArmKeyDto implements ConversationSummary {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ enum: ['in_progress', 'completed', 'abandoned'] })
  status!: string;

  @ApiProperty({
    type: String,
    enum: ABANDON_REASONS,
    nullable: true,
    description: 'Why it is abandoned; null in any other status and when the service did not record why.',
  })
  abandonReason!: string | null;

  @ApiProperty()
  step!: number;

  @ApiProperty({ enum: ORIGINS })
  origin!: string;

  @ApiProperty({ type: String, nullable: true })
  label!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  topScore!: number | null;

  @ApiProperty({ description: 'The participant’s data was erased (an anonymous tombstone).' })
  erased!: boolean;
}

export class ConversationPageResponseDto implements ConversationPage {
  @ApiProperty({ type: [ConversationSummaryDto] })
  items!: ConversationSummaryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next, older page.' })
  nextCursor!: string | null;
}

export class TranscriptTurnDto implements TranscriptTurn {
  @ApiProperty({ enum: ['participant', 'bot'] })
  sender!: string;

  @ApiProperty({ enum: ['greeting', 'message', 'reply', 'closing_prompt'] })
  kind!: string;

  @ApiProperty({ description: '-1 for the greeting.' })
  step!: number;

  @ApiProperty()
  text!: string;

  @ApiProperty({ type: String, nullable: true })
  messageType!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class ConversationTranscriptResponseDto
  extends PickType(ConversationSummaryDto, [
    'id',
    'brand',
    'thinkLevel',
    'feelLevel',
    'status',
    'step',
    'origin',
    'label',
    'createdAt',
  ] as const)
  implements ConversationTranscript
{
  @ApiProperty({ enum: ['random', 'chatbot', 'lulu'] })
  entryPoint!: string;

  @ApiProperty({ type: Number, nullable: true })
  scoreA!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  scoreB!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  scoreC!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  scoreOther!: number | null;

  @ApiProperty({ type: String, nullable: true })
  modelId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  modelRevision!: string | null;

  @ApiProperty()
  contentVersion!: string;

  @ApiProperty({ type: String, nullable: true })
  completionCode!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Null until given, and once erased.' })
  email!: string | null;

  @ApiProperty({ format: 'date-time' })
  lastActivityAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  durationMs!: number | null;

  @ApiProperty({
    type: String,
    enum: ABANDON_REASONS,
    nullable: true,
    description:
      'Why it is abandoned: idle past CONVERSATION_TTL, reset by the page, erased while in progress. Null in any ' +
      'other status, and for a conversation abandoned before the service recorded why.',
  })
  abandonReason!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was marked abandoned.' })
  abandonedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  erasedAt!: string | null;

  @ApiProperty({ type: [TranscriptTurnDto], description: 'In step order; empty once erased.' })
  turns!: TranscriptTurnDto[];
}
