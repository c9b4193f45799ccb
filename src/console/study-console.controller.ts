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
import { ConversationBrowseQueryDto, FunnelQueryDto, PanelQueryDto, TimelineQueryDto } from './study-panels-query.dto';
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

/** A study panel's 400: its one parameter, `origin`, names no origin, or the query holds another parameter. */
const PANEL_QUERY_INVALID =
  'HTTP.VALIDATION_FAILED: origin is not greeting or no_greeting, or the query has another parameter.';

/**
 * The study console's panels: one aggregate query each, behind the admin key or a console session. Each study panel
 * takes `origin` to count only the conversations that started one way.
 */
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
  @ApiErrorResponses({ 400: PANEL_QUERY_INVALID, 503: DATABASE_UNAVAILABLE })
  arms(@Query() query: PanelQueryDto): Promise<ArmsPanelResponseDto> {
    return this.panels.arms(query.origin ?? null);
  }

  @Get('funnel')
  @ApiOperation({ summary: 'Completion funnel: how many reached, answered and dropped out at each step.' })
  @ApiOkResponse({ type: FunnelPanelResponseDto })
  @ApiErrorResponses({
    400: 'HTTP.VALIDATION_FAILED: byArm is not true or false, or origin is not an origin.',
    503: DATABASE_UNAVAILABLE,
  })
  funnel(@Query() query: FunnelQueryDto): Promise<FunnelPanelResponseDto> {
    return this.panels.funnel(query.byArm ?? false, query.origin ?? null);
  }

  @Get('labels')
  @ApiOperation({ summary: 'Labels per arm, and a histogram of the classifier’s top score per label.' })
  @ApiOkResponse({ type: LabelsPanelResponseDto })
  @ApiErrorResponses({ 400: PANEL_QUERY_INVALID, 503: DATABASE_UNAVAILABLE })
  labels(@Query() query: PanelQueryDto): Promise<LabelsPanelResponseDto> {
    return this.panels.labels(query.origin ?? null);
  }

  @Get('timeline')
  @ApiOperation({
    summary: 'Conversations started and completed per local hour or day of `tz` (default UTC).',
  })
  @ApiOkResponse({ type: TimelinePanelResponseDto })
  @ApiErrorResponses({
    400: 'HTTP.VALIDATION_FAILED: bucket, since, tz or origin is not valid (tz: a zone PostgreSQL does not know).',
    503: DATABASE_UNAVAILABLE,
  })
  timeline(@Query() query: TimelineQueryDto): Promise<TimelinePanelResponseDto> {
    return this.panels.timeline(query.bucket, query.since, query.tz, query.origin ?? null);
  }

  @Get('durations')
  @ApiOperation({ summary: 'Time from greeting to completion per arm: median and quartiles (percentile_cont).' })
  @ApiOkResponse({ type: DurationsPanelResponseDto })
  @ApiErrorResponses({ 400: PANEL_QUERY_INVALID, 503: DATABASE_UNAVAILABLE })
  durations(@Query() query: PanelQueryDto): Promise<DurationsPanelResponseDto> {
    return this.panels.durations(query.origin ?? null);
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
    400: 'HTTP.VALIDATION_FAILED: a filter, the cursor or limit is not valid, or is given more than once.',
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
