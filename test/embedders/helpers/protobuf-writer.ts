/**
 * The few protobuf wire-format encodings an ONNX file needs (varints, length-delimited fields),
 * enough to write a tiny model by hand in tests. Fields are emitted in the order they are added.
 */
export class ProtobufWriter {
  private readonly parts: Uint8Array[] = [];

  /** Field with wire type 0 (int32/int64/enum/bool). */
  varint(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.parts.push(encodeVarint(BigInt(value)));
    return this;
  }

  /** Field with wire type 2 holding UTF-8 text. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Field with wire type 2 holding raw bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.parts.push(encodeVarint(BigInt(value.length)), value);
    return this;
  }

  /** Field with wire type 2 holding an embedded message. */
  message(field: number, build: (writer: ProtobufWriter) => void): this {
    const inner = new ProtobufWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const length = this.parts.reduce((sum, part) => sum + part.length, 0);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.parts.push(encodeVarint(BigInt((field << 3) | wireType)));
  }
}

function encodeVarint(value: bigint): Uint8Array {
  // Negative int64 values are two's complement in 10 bytes, as protobuf encodes them.
  let remaining = value < 0n ? value + (1n << 64n) : value;
  const bytes: number[] = [];
  do {
    let byte = Number(remaining & 0x7fn);
    remaining >>= 7n;
    if (remaining > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (remaining > 0n);
  return Uint8Array.from(bytes);
}
