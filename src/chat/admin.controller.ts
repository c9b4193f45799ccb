import { Controller, Delete, Get, Logger, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AdminApiKeyGuard, adminPrincipalOf } from '../common/admin-api-key.guard';
import {
  ADMIN_KEY_ERRORS,
  ApiErrorResponses,
  DATABASE_UNAVAILABLE,
  INTERNAL_ERROR,
  RATE_LIMITED,
  UNKNOWN_QUERY,
} from '../common/error-response.dto';
import { requestIdOf } from '../common/request-id';
import { NoQueryDto } from '../common/validation';
import { AppConfig } from '../config/app-config';
import { adminKeyActor } from './admin-audit.entity';
import { ConversationErasureResponseDto } from './conversation-erasure-response.dto';
import { ConversationExportQueryDto } from './conversation-export-query.dto';
import { ConversationExportService, exportFilterOf, type ExportFilter } from './conversation-export.service';
import { ParticipantDataService } from './participant-data.service';

/** The status and headers of an export, the same for its GET and its HEAD. */
function exportHeaders(response: Response, filter: ExportFilter): void {
  response.status(200);
  response.setHeader(
    'Content-Type',
    filter.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
  );
  response.setHeader('Content-Disposition', `attachment; filename="conversations.${filter.format}"`);
}

@ApiTags('admin')
@ApiSecurity('admin')
@ApiErrorResponses({ ...ADMIN_KEY_ERRORS, ...RATE_LIMITED, ...INTERNAL_ERROR })
@UseGuards(AdminApiKeyGuard)
@Controller('admin')
export class AdminController {
  private readonly logger = new Logger(AdminController.name);

  constructor(
    private readonly exporter: ConversationExportService,
    private readonly participants: ParticipantDataService,
    private readonly config: AppConfig,
  ) {}

  /** Who the audit names: the guard let the request in with the configured key or a session derived from it. */
  private actorOf(request: Request): string {
    const principal = adminPrincipalOf(request);
    return adminKeyActor(
      this.config.admin.apiKey ?? '',
      principal?.via === 'session' ? principal.session.id : undefined,
    );
  }

  @Get('conversations/export')
  @ApiOperation({
    summary: 'Stream every stored conversation (condition, label, scores, email, transcript) as CSV or JSON Lines.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({
    description: 'A download (Content-Disposition: attachment): CSV with a header row, or one JSON object a line.',
    schema: { type: 'string' },
  })
  @ApiErrorResponses({
    400:
      'HTTP.VALIDATION_FAILED: a filter, format or pseudonymise is not one the export knows, or is given more ' +
      'than once; ' +
      'ADMIN.PSEUDONYM_KEY_MISSING: pseudonymise=true while EXPORT_PSEUDONYM_KEY is not set.',
    503: DATABASE_UNAVAILABLE,
  })
  async export(
    @Query() query: ConversationExportQueryDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const filter = exportFilterOf(query);
    // Express hands HEAD to this GET handler: answer the GET's headers, but read nothing and audit nothing,
    // since no export leaves.
    if (request.method === 'HEAD') {
      this.exporter.assertExportable(filter);
      exportHeaders(response, filter);
      response.end();
      return;
    }
    const lines = this.exporter.lines(filter, this.actorOf(request));
    // Read the first line before answering, so a database error is still a JSON error.
    const first = await lines.next();
    exportHeaders(response, filter);
    async function* all(): AsyncGenerator<string> {
      if (!first.done) yield first.value;
      yield* lines;
    }
    try {
      await pipeline(Readable.from(all()), response);
    } catch (error) {
      // The researcher closed the download (or the connection broke): the exporter has audited it as incomplete,
      // there is no one left to answer, and it is no bug of the service.
      if (!response.destroyed || response.writableFinished) throw error;
      this.logger.warn(`export left by the client before its end (request ${requestIdOf(request)})`);
    }
  }

  @Delete('conversations/:id')
  @ApiOperation({
    summary:
      'Erase one participant: delete the transcript, clear the e-mail and completion code, keep an anonymous ' +
      'tombstone (condition, status, label, scores, times) so arm counts stay true. Idempotent.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The conversation id (scenario.conversation_id).' })
  @ApiOkResponse({ type: ConversationErasureResponseDto })
  @ApiErrorResponses({
    400: UNKNOWN_QUERY,
    404: 'CHAT.CONVERSATION_NOT_FOUND: no conversation has this id (or it is not a UUID).',
    503: DATABASE_UNAVAILABLE,
  })
  erase(
    @Param('id') id: string,
    @Query() _query: NoQueryDto,
    @Req() request: Request,
  ): Promise<ConversationErasureResponseDto> {
    return this.participants.eraseConversation(id, this.actorOf(request));
  }
}
