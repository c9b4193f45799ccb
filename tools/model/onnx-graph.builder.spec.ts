import { onnx } from 'onnx-proto';
import { DataType, GraphBuilder, MS_DOMAIN } from './onnx-graph.builder';

/** x → Relu → y, optionally through an onnxruntime contrib op. */
function tinyModel(writeDefaultDomain: boolean, contrib = false): onnx.ModelProto {
  const g = new GraphBuilder('tiny', { writeDefaultDomain });
  const x = g.input('x', DataType.FLOAT, ['batch', 4]);
  const relu = g.op('Relu', [x], 'relu');
  const out = contrib ? g.op('FastGelu', [relu], 'gelu', {}, MS_DOMAIN) : relu;
  g.node('Identity', [out], ['y'], {}, { exact: true });
  g.output('y', DataType.FLOAT, ['batch', 4]);
  return onnx.ModelProto.decode(g.toBytes({ opset: 13, producerName: 'test', metadata: { b: '2', a: '1' } }));
}

describe('GraphBuilder', () => {
  it('spells the default domain as "" or leaves it out, as asked', () => {
    const spelled = tinyModel(true).graph?.node ?? [];
    const omitted = tinyModel(false).graph?.node ?? [];
    expect(spelled.map((n) => Object.prototype.hasOwnProperty.call(n, 'domain'))).toEqual([true, true]);
    expect(omitted.map((n) => Object.prototype.hasOwnProperty.call(n, 'domain'))).toEqual([false, false]);
  });

  it('imports the com.microsoft opset only when a contrib op is used, and sorts metadata by key', () => {
    expect(tinyModel(false).opsetImport.map((o) => o.domain || '')).toEqual(['']);
    const model = tinyModel(false, true);
    expect(model.opsetImport.map((o) => o.domain || '')).toEqual(['', MS_DOMAIN]);
    expect(model.metadataProps.map((p) => p.key)).toEqual(['a', 'b']);
  });

  it('names values uniquely, and refuses a fixed name produced twice', () => {
    const g = new GraphBuilder('names', { writeDefaultDomain: false });
    expect([g.uniqueName('v'), g.uniqueName('v'), g.uniqueName('v')]).toEqual(['v', 'v_1', 'v_2']);
    g.input('x', DataType.FLOAT, [1]);
    expect(() => g.node('Relu', ['x'], ['x'], {}, { exact: true })).toThrow(/produced twice/);
  });

  it('rejects a tensor whose length does not match its dims and a non-integer INT attribute', () => {
    const g = new GraphBuilder('checks', { writeDefaultDomain: false });
    expect(() => g.initializer('w', [2, 3], new Float32Array(5))).toThrow(/5 values for dims \[2, 3\]/);
    expect(() => g.op('LeakyRelu', ['x'], 'y', { alpha: 0.1 })).toThrow(/not an integer/);
  });
});
