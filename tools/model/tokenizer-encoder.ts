/**
 * Encodes training text with transformers.js's own BertTokenizer built from the tokenizer files we are about to
 * ship, so the ids seen in training are exactly the ids the pipeline produces at inference (same normaliser,
 * WordPiece matching, [CLS]/[SEP] template and truncation to model_max_length).
 */
import { BertTokenizer } from '@huggingface/transformers';
import { TokenizerFiles } from './tokenizer-files.writer';

interface EncodedText {
  input_ids: number[];
}

export class TokenizerEncoder {
  private readonly tokenizer: BertTokenizer;

  constructor(files: TokenizerFiles) {
    this.tokenizer = new BertTokenizer(files.tokenizerJson, files.tokenizerConfig);
  }

  /** Token ids with [CLS]/[SEP], truncated like the text-classification pipeline does (padding: true, truncation: true). */
  encode(text: string): Int32Array {
    const encoded = this.tokenizer(text, { truncation: true, return_tensor: false }) as unknown as EncodedText;
    return Int32Array.from(encoded.input_ids);
  }

  /** Tokens as strings (for logs and tests). */
  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text);
  }
}
