import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminApiKeyGuard } from '../common/admin-api-key.guard';
import {
  ADMIN_KEY_ERRORS,
  ApiErrorResponses,
  DATABASE_UNAVAILABLE,
  INTERNAL_ERROR,
  RATE_LIMITED,
  UNKNOWN_QUERY,
} from '../common/error-response.dto';
import { NoQueryDto } from '../common/validation';
import { ServicePanelService } from './service-panel.service';
import { ConversationBrowseQueryDto, FunnelQueryDto, TimelineQueryDto } from './study-panels-query.dto';
import {
  ArmsPanelResponseDto,
  ConversationPageResponseDto,
  ConversationTranscriptResponseDto,
  DurationsPanelResponseDto,
  FunnelPanelResponseDto,
  LabelsPanelResponseDto,
  ServicePanelResponseDto,
  TimelinePanelResponseDto,
} from './study-panels-response.dto';
import { StudyPanelsService } from './study-panels.service';

/** The study console's panels: one aggregate query each, behind the admin key or a console session. */
@ApiTags('console')
@ApiSecurity('admin')
@ApiErrorResponses({ ...ADMIN_KEY_ERRORS, ...RATE_LIMITED, ...INTERNAL_ERROR })
@UseGuards(AdminApiKeyGuard)
@Controller('admin/study')
export class StudyConsoleController {
  constructor(
    private readonly panels: StudyPanelsService,
    private readonly servicePanel: ServicePanelService,
  ) {}

  @Get('arms')
  @ApiOperation({
    summary: 'Per arm: started, in progress, completed, abandoned, condition slots; per scope: the block balance.',
  })
  @ApiOkResponse({ type: ArmsPanelResponseDto })
  @ApiErrorResponses({ 400: UNKNOWN_QUERY, 503: DATABASE_UNAVAILABLE })
  arms(@Query() _query: NoQueryDto): Promise<ArmsPanelResponseDto> {
    return this.panels.arms();
  }

  @Get('funnel')
  @ApiOperation({ summary: 'Completion funnel: how many reached, answered and dropped out at each step.' })
  @ApiOkResponse({ type: FunnelPanelResponseDto })
  @ApiErrorResponses({ 400: 'HTTP.VALIDATION_FAILED: byArm is not true or false.', 503: DATABASE_UNAVAILABLE })
  funnel(@Query() query: FunnelQueryDto): Promise<FunnelPanelResponseDto> {
    return this.panels.funnel(query.byArm ?? false);
  }

  @Get('labels')
  @ApiOperation({ summary: 'Labels per arm, and a histogram of the classifier’s top score per label.' })
  @ApiOkResponse({ type: LabelsPanelResponseDto })
  @ApiErrorResponses({ 400: UNKNOWN_QUERY, 503: DATABASE_UNAVAILABLE })
  labels(@Query() _query: NoQueryDto): Promise<LabelsPanelResponseDto> {
    return this.panels.labels();
  }

  @Get('timeline')
  @ApiOperation({
    summary: 'Conversations started and completed per local hour or day of `tz` (default UTC).',
  })
  @ApiOkResponse({ type: TimelinePanelResponseDto })
  @ApiErrorResponses({
    400: 'HTTP.VALIDATION_FAILED: bucket, since or tz is not valid (tz: a zone PostgreSQL does not know).',
    503: DATABASE_UNAVAILABLE,
  })
  timeline(@Query() query: TimelineQueryDto): Promise<TimelinePanelResponseDto> {
    return this.panels.timeline(query.bucket, query.since, query.tz);
  }

  @Get('durations')
  @ApiOperation({ summary: 'Time from greeting to completion per arm: median and quartiles (percentile_cont).' })
  @ApiOkResponse({ type: DurationsPanelResponseDto })
  @ApiErrorResponses({ 400: UNKNOWN_QUERY, 503: DATABASE_UNAVAILABLE })
  durations(@Query() _query: NoQueryDto): Promise<DurationsPanelResponseDto> {
    return this.panels.durations();
  }

  @Get('service')
  @ApiOperation({
    summary: 'The service: requests/s, latency, semaphore, cache hit rate, model pool, queue counts, health.',
  })
  @ApiOkResponse({ type: ServicePanelResponseDto })
  @ApiErrorResponses({ 400: UNKNOWN_QUERY })
  service(@Query() _query: NoQueryDto): Promise<ServicePanelResponseDto> {
    return this.servicePanel.snapshot();
  }

  @Get('conversations')
  @ApiOperation({
    summary: 'Browse conversations, newest first, filtered; keyset pages (pass nextCursor as cursor).',
  })
  @ApiOkResponse({ type: ConversationPageResponseDto })
  @ApiErrorResponses({
    400: 'HTTP.VALIDATION_FAILED: a filter, the cursor or limit is not valid.',
    503: DATABASE_UNAVAILABLE,
  })
  conversations(@Query() query: ConversationBrowseQueryDto): Promise<ConversationPageResponseDto> {
    return this.panels.conversations(query);
  }

  @Get('conversations/:id')
  @ApiOperation({ summary: 'One conversation with its transcript, scores, model and content version.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationTranscriptResponseDto })
  @ApiErrorResponses({
    400: UNKNOWN_QUERY,
    404: 'CHAT.CONVERSATION_NOT_FOUND: no conversation has this id (or it is not a UUID).',
    503: DATABASE_UNAVAILABLE,
  })
  transcript(@Param('id') id: string, @Query() _query: NoQueryDto): Promise<ConversationTranscriptResponseDto> {
    return this.panels.transcript(id);
  }
}
