import { ApiProperty } from '@nestjs/swagger';

/** `DELETE /api/admin/conversations/:id`: the conversation is now an anonymous tombstone. */
export class ConversationErasureResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The erased conversation.' })
  id!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When it was erased: the first erasure’s time, also when it is asked again.',
  })
  erasedAt!: string;

  @ApiProperty({
    description:
      'True when an earlier erasure had already removed everything: this one changed nothing (erasing is idempotent).',
  })
  alreadyErased!: boolean;
}
