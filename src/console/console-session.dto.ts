import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { ConsoleSession } from './console.types';

/** `POST /api/admin/session`: the admin key, typed into the console's login form. */
export class ConsoleLoginRequestDto {
  @ApiProperty({ description: 'ADMIN_API_KEY.', minLength: 1, maxLength: 512 })
  @IsString({ message: 'key must be a string' })
  @Length(1, 512, { message: 'key must be 1 to 512 characters' })
  key!: string;
}

export class ConsoleSessionResponseDto implements ConsoleSession {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the session ends (ADMIN_SESSION_TTL_MINUTES after login); null for a key-header caller.',
  })
  expiresAt!: string | null;

  @ApiProperty({ description: 'Whether the queue dashboard (/api/admin/queues, Redis mode only) exists.' })
  queueDashboard!: boolean;

  @ApiProperty({
    description: 'Whether the export takes pseudonymise=true here (it knows it, and the pseudonym key is set).',
  })
  pseudonymisedExport!: boolean;
}

export class ConsoleLogoutResponseDto {
  @ApiProperty({ description: 'Whether a session was ended (false when the caller used the key header).' })
  ended!: boolean;
}
