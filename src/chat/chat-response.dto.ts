import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiLabelScoresProperty } from '../ml/classification-response.dto';
import { LABELS, type Label, type LabelScores } from '../ml/ml.types';
import { BRANDS, LEVELS, type Brand, type Level } from './chat.types';

/** A label, or '' before the complaint is classified. */
const LABEL_OR_NONE = ['', ...LABELS];

/** `scenario` as the page receives and echoes it: snake_case inside, as the original answered. */
export class ChatScenarioDto {
  @ApiProperty({ enum: BRANDS })
  brand!: Brand;

  @ApiProperty({ enum: LABEL_OR_NONE, description: 'The complaint’s label; empty until it is classified.' })
  problem_type!: Label | '';

  @ApiProperty({ enum: LEVELS })
  think_level!: Level;

  @ApiProperty({ enum: LEVELS })
  feel_level!: Level;

  @ApiProperty({ format: 'uuid', description: 'Echo it in every turn: it finds the conversation.' })
  conversation_id!: string;

  @ApiLabelScoresProperty('The classifier’s scores; present only once the complaint is classified.', {
    optional: true,
  })
  product_type_breakdown?: LabelScores;
}

export class ChatGreetingResponseDto {
  @ApiProperty({ description: 'The greeting, plain text with <, > and & escaped.' })
  message!: string;

  @ApiProperty({ type: ChatScenarioDto })
  scenario!: ChatScenarioDto;
}

export class ChatTurnResponseDto {
  @ApiProperty({ description: 'The bot’s answer: plain text with <, > and & escaped, or HTML when isHtml is set.' })
  reply!: string;

  @ApiProperty({ description: 'The step this answer leaves the conversation at; the page sends it back.' })
  index!: number;

  @ApiProperty({ enum: LABEL_OR_NONE, description: 'The complaint’s label; empty until it is classified.' })
  classType!: Label | '';

  @ApiProperty({ description: 'Think level and label (e.g. HighB); empty until classified.', example: 'HighB' })
  messageType!: string;

  @ApiProperty({ type: ChatScenarioDto })
  scenario!: ChatScenarioDto;

  @ApiPropertyOptional({
    enum: [true],
    description: 'Present, and true, only on the understanding statement: the page asks for the closing next.',
  })
  callClosingMessage?: true;

  @ApiPropertyOptional({ enum: [true], description: 'Present, and true, only when reply is HTML (the survey link).' })
  isHtml?: true;
}

export class ChatClosingResponseDto {
  @ApiProperty({ description: 'The email prompt for the conversation’s brand.' })
  message!: string;
}

export class ChatResetResponseDto {
  @ApiProperty({ enum: [true] })
  ok!: true;
}
