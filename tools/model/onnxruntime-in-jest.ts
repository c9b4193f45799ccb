/**
 * For specs that run onnxruntime-node, directly or through transformers.js. Jest runs each test file in its own V8
 * realm, but onnxruntime-node hands back typed arrays of the main realm, which fail onnxruntime-common's
 * `instanceof Float32Array` checks. onnxruntime captures the constructors when it loads, so such a spec calls
 * `useMainRealmTypedArrays()` at its top, before it creates any typed array, and imports onnxruntime-node (or
 * transformers.js) dynamically afterwards, never statically.
 */
import { runInThisContext } from 'node:vm';

export type Ort = typeof import('onnxruntime-node');

export function useMainRealmTypedArrays(): void {
  for (const name of ['Float32Array', 'Int32Array', 'BigInt64Array', 'Uint8Array', 'Int8Array']) {
    (globalThis as Record<string, unknown>)[name] = runInThisContext(name);
  }
}
