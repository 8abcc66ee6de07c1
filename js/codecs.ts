// Decodes numpy arrays sent by the kernel as {buffer, dtype, shape}.
// In a live kernel the buffer arrives as a DataView; in a snapshot the shim hands over the same.

export type DType = "float16" | "float32" | "float64" | "int8" | "int16" | "int32" | "uint8" | "uint16" | "uint32";

export interface EncodedArray {
  buffer: DataView | ArrayBuffer | Uint8Array;
  dtype: DType;
  shape: number[];
}

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

export interface NdArray<T extends NumericArray = NumericArray> {
  data: T;
  shape: number[];
}

function asBytes(buffer: EncodedArray["buffer"]): { buf: ArrayBuffer; offset: number; length: number } {
  if (buffer instanceof ArrayBuffer) return { buf: buffer, offset: 0, length: buffer.byteLength };
  return { buf: buffer.buffer as ArrayBuffer, offset: buffer.byteOffset, length: buffer.byteLength };
}

/** IEEE 754 half -> number; used because Float16Array is not yet everywhere. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

let halfTable: Float32Array | null = null;

/** Every float16 bit pattern's value, built once (256 kB): decoding is then one lookup. */
function halfLookup(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = halfToFloat(bits);
  }
  return halfTable;
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Copies into an aligned typed array: a DataView into a message need not be aligned. */
export function decode(encoded: EncodedArray): NdArray {
  const { buf, offset, length } = asBytes(encoded.buffer);
  const bytes = new Uint8Array(buf, offset, length).slice();
  const n = product(encoded.shape);
  let data: NumericArray;
  switch (encoded.dtype) {
    case "float16": {
      const halves = new Uint16Array(bytes.buffer);
      const table = halfLookup();
      data = new Float32Array(halves.length);
      for (let i = 0; i < halves.length; i++) data[i] = table[halves[i]];
      break;
    }
    case "float32":
      data = new Float32Array(bytes.buffer);
      break;
    case "float64":
      data = new Float64Array(bytes.buffer);
      break;
    case "int8":
      data = new Int8Array(bytes.buffer);
      break;
    case "int16":
      data = new Int16Array(bytes.buffer);
      break;
    case "int32":
      data = new Int32Array(bytes.buffer);
      break;
    case "uint8":
      data = bytes;
      break;
    case "uint16":
      data = new Uint16Array(bytes.buffer);
      break;
    case "uint32":
      data = new Uint32Array(bytes.buffer);
      break;
    default:
      throw new Error(`unsupported dtype ${String(encoded.dtype)}`);
  }
  if (data.length !== n) {
    throw new Error(`array of shape [${encoded.shape.join(", ")}] needs ${n} values, got ${data.length}`);
  }
  return { data, shape: encoded.shape };
}
