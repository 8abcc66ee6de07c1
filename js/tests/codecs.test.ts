import { describe, expect, it } from "vitest";
import { decode, halfToFloat, type DType } from "../codecs";

function encoded(bytes: Uint8Array, dtype: DType, shape: number[], offset = 0) {
  // Place the payload at an odd offset inside a larger buffer, as in a kernel message.
  const host = new Uint8Array(bytes.length + offset);
  host.set(bytes, offset);
  return { buffer: new DataView(host.buffer, offset, bytes.length), dtype, shape };
}

describe("decode", () => {
  const cases: [DType, ArrayLike<number>, new (values: ArrayLike<number>) => { buffer: ArrayBufferLike }][] = [
    ["float32", [1.5, -2.25, 0, 3e-5], Float32Array],
    ["float64", [Math.PI, -1e300], Float64Array],
    ["int8", [-128, 127, 0], Int8Array],
    ["int16", [-32768, 1234], Int16Array],
    ["int32", [-2147483648, 2147483647, 7], Int32Array],
    ["uint8", [0, 255], Uint8Array],
    ["uint16", [65535, 3], Uint16Array],
    ["uint32", [4294967295, 1], Uint32Array],
  ];
  for (const [dtype, values, Ctor] of cases) {
    it(`round-trips ${dtype} from an unaligned DataView`, () => {
      const bytes = new Uint8Array(new Ctor(values).buffer);
      const result = decode(encoded(bytes, dtype, [values.length], 3));
      expect(Array.from(result.data)).toEqual(Array.from(new Ctor(values) as unknown as ArrayLike<number>));
      expect(result.shape).toEqual([values.length]);
    });
  }

  it("decodes float16 bit patterns", () => {
    const halves = new Uint16Array([0x3c00, 0xc000, 0x0000, 0x7bff, 0x0001, 0x7c00]);
    const result = decode(encoded(new Uint8Array(halves.buffer), "float16", [2, 3], 1));
    expect(Array.from(result.data)).toEqual([1, -2, 0, 65504, 2 ** -24, Infinity]);
  });

  it("rejects a shape that does not match the bytes", () => {
    const bytes = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    expect(() => decode(encoded(bytes, "float32", [2, 2]))).toThrow(/needs 4 values, got 3/);
  });

  it("decodes NaN for half NaN", () => {
    expect(halfToFloat(0x7e00)).toBeNaN();
  });
});
