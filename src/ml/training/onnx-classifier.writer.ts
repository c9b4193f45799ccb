/**
 * Serialises trained ClassifierWeights as an ONNX graph (opset 13, plain ONNX ops that onnxruntime-node runs):
 *
 *   input_ids ─Gather(embedding)─┐
 *   attention_mask ─Cast(float)─Unsqueeze─Mul─ReduceSum(seq) ÷ max(ReduceSum(mask), 1)   (masked mean)
 *     ─MatMul─Add─Relu─MatMul─Add─→ logits [batch, classes]
 *
 * Inputs are exactly `input_ids` and `attention_mask` (int64): transformers.js feeds whatever the session's input
 * names ask for, so no token_type_ids is needed. Weights are stored as little-endian raw float32 data.
 */
import { onnx } from 'onnx-proto';
import { ClassifierWeights } from './text-classifier.trainer';

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 8;

const { DataType } = onnx.TensorProto;

function floatTensor(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw new Error(`${name}: ${values.length} values for dims [${dims.join(', ')}]`);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims, dataType: DataType.FLOAT, rawData: raw };
}

function int64Tensor(name: string, values: number[]): onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [values.length], dataType: DataType.INT64, rawData: raw };
}

function valueInfo(name: string, elemType: onnx.TensorProto.DataType, dims: (string | number)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: onnx.IAttributeProto[] = [],
): onnx.INodeProto {
  return { opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute: attributes };
}

function intAttribute(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

export interface OnnxModelMetadata {
  /** Free-form key/values stored in the model's metadata_props (e.g. labels, training seed). */
  [key: string]: string;
}

/** Builds the ONNX ModelProto bytes; same weights and metadata → same bytes. */
export function writeClassifierOnnx(weights: ClassifierWeights, metadata: OnnxModelMetadata = {}): Uint8Array {
  const { vocabSize, embeddingDim, hiddenDim, numClasses } = weights;
  const initializer: onnx.ITensorProto[] = [
    floatTensor('embeddings.word_embeddings.weight', [vocabSize, embeddingDim], weights.embedding),
    int64Tensor('axes_sequence', [1]),
    int64Tensor('axes_last', [2]),
    floatTensor('one', [], Float32Array.of(1)),
  ];
  const nodes: onnx.INodeProto[] = [
    node('Gather', ['embeddings.word_embeddings.weight', 'input_ids'], ['token_embeddings'], [intAttribute('axis', 0)]),
    node('Cast', ['attention_mask'], ['mask_float'], [intAttribute('to', DataType.FLOAT)]),
    node('Unsqueeze', ['mask_float', 'axes_last'], ['mask_expanded']),
    node('Mul', ['token_embeddings', 'mask_expanded'], ['masked_embeddings']),
    node('ReduceSum', ['masked_embeddings', 'axes_sequence'], ['summed_embeddings'], [intAttribute('keepdims', 0)]),
    node('ReduceSum', ['mask_float', 'axes_sequence'], ['token_count'], [intAttribute('keepdims', 1)]),
    // An all-padding row would divide by zero: clamp the count at 1.
    node('Max', ['token_count', 'one'], ['token_count_safe']),
    node('Div', ['summed_embeddings', 'token_count_safe'], ['pooled']),
  ];
  let features = 'pooled';
  let width = embeddingDim;
  if (hiddenDim > 0) {
    initializer.push(
      floatTensor('pre_classifier.weight', [embeddingDim, hiddenDim], weights.hiddenWeight),
      floatTensor('pre_classifier.bias', [hiddenDim], weights.hiddenBias),
    );
    nodes.push(
      node('MatMul', ['pooled', 'pre_classifier.weight'], ['hidden_linear']),
      node('Add', ['hidden_linear', 'pre_classifier.bias'], ['hidden_biased']),
      node('Relu', ['hidden_biased'], ['hidden']),
    );
    features = 'hidden';
    width = hiddenDim;
  }
  initializer.push(
    floatTensor('classifier.weight', [width, numClasses], weights.outputWeight),
    floatTensor('classifier.bias', [numClasses], weights.outputBias),
  );
  nodes.push(
    node('MatMul', [features, 'classifier.weight'], ['logits_linear']),
    node('Add', ['logits_linear', 'classifier.bias'], ['logits']),
  );

  const model: onnx.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'combot-training',
    producerVersion: '1',
    docString: 'Combot complaint classifier: mean-pooled sub-word embeddings + MLP.',
    metadataProps: Object.keys(metadata)
      .sort()
      .map((key) => ({ key, value: metadata[key] })),
    graph: {
      name: 'complaint_classifier',
      node: nodes,
      initializer,
      input: [
        valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
        valueInfo('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']),
      ],
      output: [valueInfo('logits', DataType.FLOAT, ['batch_size', numClasses])],
    },
  };
  const error = onnx.ModelProto.verify(model);
  if (error) throw new Error(`invalid ONNX model: ${error}`);
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
