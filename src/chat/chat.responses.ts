import type { Label, LabelScores } from '../ml/ml.types';
import type { Brand, Level } from './chat.types';

/** `scenario` as the page receives and echoes it: snake_case inside, as the original answered. */
export interface Scenario {
  brand: Brand;
  problem_type: Label | '';
  think_level: Level;
  feel_level: Level;
  conversation_id: string;
  product_type_breakdown?: LabelScores;
}

export interface GreetingResponse {
  message: string;
  scenario: Scenario;
}

export interface TurnResponse {
  reply: string;
  index: number;
  classType: Label | '';
  messageType: string;
  scenario: Scenario;
  callClosingMessage?: true;
  isHtml?: true;
}

export interface ClosingResponse {
  message: string;
}
