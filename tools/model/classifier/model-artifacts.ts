/**
 * The classifier's files besides the tokenizer and the ONNX graph: config.json (what transformers.js reads to pick
 * the model class, labels and dtype) and NOTICE (dataset attribution).
 */
import { labelMaps } from '../model-folder';
import { LABELS } from './training-data';

export const MODEL_NAME = 'combot-complaint-classifier';

export interface CombotModelInfo {
  /** First 12 hex digits of sha256(onnx/model.onnx): changes exactly when the weights or graph change. */
  revision: string;
  /** Derived from the training data (newest data file, or SOURCE_DATE_EPOCH), never from the clock. */
  trainedAt: string;
  /** sha256 over the sha256 of every data file read, in order: identifies the exact training inputs. */
  dataSha256: string;
  seed: number;
  profile: 'full' | 'small';
  vocabSize: number;
  embeddingDim: number;
  hiddenDim: number;
  maxLength: number;
  architecture: string;
  epochsRun: number;
  bestEpoch: number;
}

/**
 * A BERT-shaped config. transformers.js uses `model_type` to choose BertForSequenceClassification (a generic
 * encoder wrapper that feeds the ONNX session whatever inputs it declares), `id2label` for the pipeline's labels
 * and `transformers.js_config.dtype` to pick onnx/model.onnx (fp32) even where its default would be
 * model_quantized.onnx (wasm/browser). The transformer-specific sizes describe this small network honestly:
 * no attention layers, `hidden_size` = embedding width, `intermediate_size` = the MLP width.
 */
export function createModelConfig(info: CombotModelInfo): Record<string, unknown> {
  return {
    _name_or_path: MODEL_NAME,
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    problem_type: 'single_label_classification',
    ...labelMaps(LABELS),
    vocab_size: info.vocabSize,
    hidden_size: info.embeddingDim,
    intermediate_size: info.hiddenDim,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    hidden_act: 'relu',
    max_position_embeddings: info.maxLength,
    type_vocab_size: 1,
    pad_token_id: 0,
    torch_dtype: 'float32',
    'transformers.js_config': { dtype: 'fp32' },
    combot: info,
  };
}

export interface NoticeInput {
  projectFiles: string[];
  openDataFiles: string[];
}

const OPEN_DATA_NOTICES: Record<string, string> = {
  clinc150:
    'CLINC150 (clinc/oos-eval, data_full.json), licensed CC BY 3.0. Larson et al., "An Evaluation Dataset for\n' +
    '  Intent Classification and Out-of-Scope Prediction", EMNLP 2019. Intents re-labelled (modified).',
  bitext:
    'Bitext customer-support training sample (bitext/customer-support-llm-chatbot-training-dataset), licensed\n' +
    '  CDLA-Sharing-1.0, by Bitext Innovations. Intents re-labelled (modified).',
  hint3:
    'HINT3 (hellohaptik/HINT3, dataset v2), licensed ODbL 1.0 (database) and DbCL 1.0 (contents). Arora et al.,\n' +
    '  "HINT3: Raising the bar for Intent Detection in the Wild", EMNLP 2020 Insights workshop. Intents\n' +
    '  re-labelled (modified). Contains information from HINT3, which is made available under the Open\n' +
    '  Database License (ODbL) 1.0: http://opendatacommons.org/licenses/odbl/1.0/',
};

export function createNotice(input: NoticeInput): string {
  const datasetNames = input.openDataFiles.map((file) => file.replace(/^.*\//, '').replace(/\.jsonl$/, ''));
  const lines = [
    `${MODEL_NAME}`,
    '',
    'This model (weights, vocabulary and tokenizer) was trained by the Combot project from:',
    '',
    `- The Combot project's own labelled examples (${input.projectFiles.join(', ')}).`,
  ];
  for (const name of datasetNames) {
    lines.push(`- ${OPEN_DATA_NOTICES[name] ?? `${name}: see the licence file shipped with that dataset.`}`);
  }
  lines.push('');
  if (datasetNames.length > 0) {
    lines.push(
      'The model is a Produced Work / Result of these datasets in the sense of their licences (CC BY 3.0,',
      'CDLA-Sharing-1.0, ODbL 1.0): it contains no rows of the datasets (its vocabulary lists word pieces, not',
      'sentences) and is distributed under the Combot project licence, with this notice as the attribution',
      'those licences ask for. The datasets themselves are not redistributed here.',
    );
  } else {
    lines.push('No open dataset was used for this build.');
  }
  return lines.join('\n') + '\n';
}
