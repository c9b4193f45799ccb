/**
 * The one ONNX writer of both toolkits (the trained classifier and the DistilBERT-shaped benchmark graph), on top of
 * onnx-proto: collects nodes and initializers, names intermediate values uniquely, and serialises a ModelProto.
 * Tensor payloads go into raw_data as little-endian bytes (what the ONNX spec requires whatever the host's byte
 * order). Same calls in the same order → same bytes.
 */
import { endianness } from 'node:os';
import { onnx } from 'onnx-proto';

export const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

/** The domain of onnxruntime's contrib ops (MatMulIntegerToFloat, DynamicQuantizeMatMul, ...). */
export const MS_DOMAIN = 'com.microsoft';

export type Dim = number | string;
/** A FLOAT attribute; a bare number is an INT attribute (ONNX is strict about which one an op declares). */
export interface FloatAttribute {
  float: number;
}
/** The element types an initializer can hold. */
export type TensorValues = Float32Array | Int8Array | Uint8Array | BigInt64Array;
export type AttributeValue = number | number[] | string | FloatAttribute;
export type Attributes = Record<string, AttributeValue>;

const HOST_IS_LE = endianness() === 'LE';

/** Bytes of a typed array in little-endian order; a zero-copy view on little-endian hosts. */
function littleEndianBytes(values: TensorValues): Uint8Array {
  if (HOST_IS_LE || values.BYTES_PER_ELEMENT === 1) {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  values.forEach((v: number | bigint, i: number) => {
    if (typeof v === 'bigint') view.setBigInt64(i * 8, v, true);
    else view.setFloat32(i * 4, v, true);
  });
  return out;
}

const DATA_TYPES: Record<TensorValues[typeof Symbol.toStringTag], onnx.TensorProto.DataType> = {
  Float32Array: DataType.FLOAT,
  Int8Array: DataType.INT8,
  Uint8Array: DataType.UINT8,
  BigInt64Array: DataType.INT64,
};

/** By the array's tag, not instanceof: a typed array from another realm (Jest specs swap realms) is still one. */
function dataTypeOf(values: TensorValues): onnx.TensorProto.DataType {
  return DATA_TYPES[values[Symbol.toStringTag]];
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: Buffer.from(value, 'utf8') };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'object') return { name, type: AttributeType.FLOAT, f: value.float };
  if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer (use { float })`);
  return { name, type: AttributeType.INT, i: value };
}

function valueInfo(name: string, elemType: onnx.TensorProto.DataType, dims: Dim[]): onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/** IR version 8 (ONNX 1.10), which onnxruntime-node and transformers.js load. */
const IR_VERSION = 8;

export interface GraphOptions {
  /**
   * Write `domain: ""` on nodes of the default ONNX domain instead of leaving the field out. ONNX reads both the
   * same, but the bytes differ, and a model's bytes are its revision: each graph keeps the spelling of the models
   * already published from it.
   */
  writeDefaultDomain: boolean;
}

export interface ModelOptions {
  opset: number;
  producerName: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private usesMsDomain = false;

  constructor(
    private readonly graphName: string,
    private readonly options: GraphOptions,
  ) {}

  /** A fresh value name derived from `hint` (ONNX requires every value to be produced exactly once). */
  uniqueName(hint: string): string {
    let name = hint;
    for (let n = 1; this.usedNames.has(name); n++) name = `${hint}_${n}`;
    this.usedNames.add(name);
    return name;
  }

  /** Claims `name` as is (graph inputs and outputs keep their fixed names). */
  private exactName(name: string): string {
    if (this.usedNames.has(name)) throw new Error(`value ${name} is produced twice`);
    this.usedNames.add(name);
    return name;
  }

  input(name: string, elemType: onnx.TensorProto.DataType, dims: Dim[]): string {
    this.exactName(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: onnx.TensorProto.DataType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** Adds a constant tensor; dims [] makes a scalar. */
  initializer(name: string, dims: number[], values: TensorValues): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new Error(`${name}: ${values.length} values for dims [${dims.join(', ')}]`);
    const unique = this.uniqueName(name);
    this.initializers.push({ name: unique, dims, dataType: dataTypeOf(values), rawData: littleEndianBytes(values) });
    return unique;
  }

  floatConstant(name: string, value: number): string {
    return this.initializer(name, [], Float32Array.of(value));
  }

  int64Constant(name: string, values: number[]): string {
    return this.initializer(name, [values.length], BigInt64Array.from(values, BigInt));
  }

  /**
   * Appends a node and returns its output names. `outputs` are name hints (made unique) unless `exact` is set,
   * which is how graph outputs get their fixed names.
   */
  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attributes: Attributes = {},
    options: { domain?: string; exact?: boolean } = {},
  ): string[] {
    const names = outputs.map((hint) => (options.exact ? this.exactName(hint) : this.uniqueName(hint)));
    if (options.domain === MS_DOMAIN) this.usesMsDomain = true;
    const node: onnx.INodeProto = {
      opType,
      input: inputs,
      output: names,
      name: `${opType}_${names[0]}`,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    };
    if (options.domain !== undefined || this.options.writeDefaultDomain) node.domain = options.domain ?? '';
    this.nodes.push(node);
    return names;
  }

  /** Single-output shorthand for `node`. */
  op(opType: string, inputs: string[], hint: string, attributes: Attributes = {}, domain?: string): string {
    return this.node(opType, inputs, [hint], attributes, { domain })[0];
  }

  /** Checks and serialises the model; same graph → same bytes. */
  toBytes(options: ModelOptions): Uint8Array {
    const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: '', version: options.opset }];
    if (this.usesMsDomain) opsetImport.push({ domain: MS_DOMAIN, version: 1 });
    const model: onnx.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport,
      producerName: options.producerName,
      producerVersion: '1',
      docString: options.docString ?? '',
      metadataProps: Object.entries(options.metadata ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    const error = onnx.ModelProto.verify(model);
    if (error) throw new Error(`invalid ONNX model: ${error}`);
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}
