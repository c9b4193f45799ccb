import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AdminApiKeyGuard } from '../common/admin-api-key.guard';
import { ADMIN_KEY_ERRORS, ApiErrorResponses, INTERNAL_ERROR, RATE_LIMITED } from '../common/error-response.dto';
import { ConversationExportQueryDto } from './conversation-export-query.dto';
import { ConversationExportService, exportFilterOf } from './conversation-export.service';

@ApiTags('admin')
@ApiSecurity('admin')
@ApiErrorResponses({ ...ADMIN_KEY_ERRORS, ...RATE_LIMITED, ...INTERNAL_ERROR })
@UseGuards(AdminApiKeyGuard)
@Controller('admin')
export class AdminController {
  constructor(private readonly exporter: ConversationExportService) {}

  @Get('conversations/export')
  @ApiOperation({
    summary: 'Stream every stored conversation (condition, label, scores, email, transcript) as CSV or JSON Lines.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({
    description: 'A download (Content-Disposition: attachment): CSV with a header row, or one JSON object a line.',
    schema: { type: 'string' },
  })
  @ApiErrorResponses({ 400: 'HTTP.VALIDATION_FAILED: format, status or since is not one the export knows.' })
  async export(@Query() query: ConversationExportQueryDto, @Res() response: Response): Promise<void> {
    const filter = exportFilterOf(query);
    const lines = this.exporter.lines(filter);
    // Read the first line before answering, so a database error is still a JSON error.
    const first = await lines.next();
    response.status(200);
    response.setHeader(
      'Content-Type',
      filter.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    );
    response.setHeader('Content-Disposition', `attachment; filename="conversations.${filter.format}"`);
    async function* all(): AsyncGenerator<string> {
      if (!first.done) yield first.value;
      yield* lines;
    }
    await pipeline(Readable.from(all()), response);
  }
}
