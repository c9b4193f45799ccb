/**
 * Weight quantization as onnxruntime's `quantize_dynamic` does it by default: per-tensor, symmetric int8
 * (zero point 0), so MatMulInteger can pair uint8 activations with int8 weights (MLAS's u8s8 kernels).
 */
export interface QuantizedTensor {
  values: Int8Array;
  scale: number;
  zeroPoint: 0;
}

export function quantizeSymmetricInt8(values: Float32Array): QuantizedTensor {
  let maxAbs = 0;
  for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
  // An all-zero tensor still needs a positive scale (DequantizeLinear divides nothing, but 0 looks like a bug).
  const scale = maxAbs > 0 ? maxAbs / 127 : 1;
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(-127, Math.min(127, Math.round(values[i] / scale)));
  return { values: out, scale, zeroPoint: 0 };
}
