/**
 * A decoder for SMILE, the binary JSON that Elasticsearch and OpenSearch write their snapshot metadata in.
 *
 * Written here rather than taken from npm because the decoder must mirror the encoder's shared-string
 * tables exactly: every short name or value the encoder writes out in full is appended to its table, even
 * when the same text is already there (Elasticsearch 6.8 writes such repeats), and a table that reaches
 * 1,024 entries starts again from empty. A decoder that skips a repeat, or treats `constructor` as already
 * seen, shifts every later back reference and fails or, worse, returns the wrong names.
 *
 * Layout: the header `:)\n` plus a flags byte (bit 0 shared names, bit 1 shared values, bit 2 raw binary),
 * then one value. Integers and lengths are variable-length: 7 bits per byte, the last byte flagged by its
 * top bit and carrying 6 bits. Floats and binary travel 7 bits per byte so that no byte looks like a marker.
 */

export class SmileError extends Error {
  override readonly name = 'SmileError';
}

export type SmileValue = null | boolean | number | bigint | string | Uint8Array | SmileValue[] | { [key: string]: SmileValue };

const MAX_SHARED = 1024;
const END_OF_STRING = 0xfc;

/** A table of shared strings as the encoder keeps it: append-only, emptied when full. */
class SharedStrings {
  #strings: string[] = [];

  constructor(
    readonly kind: 'name' | 'value',
    readonly enabled: boolean,
  ) {}

  add(text: string): void {
    if (!this.enabled) return;
    if (this.#strings.length >= MAX_SHARED) this.#strings = [];
    this.#strings.push(text);
  }

  get(index: number, at: number): string {
    if (!this.enabled) throw new SmileError(`shared ${this.kind} reference at byte ${at}, but the header does not enable shared ${this.kind}s`);
    const text = this.#strings[index];
    if (text === undefined) throw new SmileError(`shared ${this.kind} reference ${index} at byte ${at} is out of range (${this.#strings.length} ${this.kind}s seen)`);
    return text;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

class SmileReader {
  #pos = 0;
  readonly #names: SharedStrings;
  readonly #values: SharedStrings;

  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < 4 || bytes[0] !== 0x3a || bytes[1] !== 0x29 || bytes[2] !== 0x0a) throw new SmileError('missing the SMILE header ":)\\n"');
    const flags = bytes[3];
    if (flags >> 4 !== 0) throw new SmileError(`unsupported SMILE version ${flags >> 4}`);
    this.#names = new SharedStrings('name', (flags & 1) !== 0);
    this.#values = new SharedStrings('value', (flags & 2) !== 0);
    this.#pos = 4;
  }

  #byte(): number {
    if (this.#pos >= this.bytes.length) throw new SmileError(`unexpected end of data at byte ${this.#pos}`);
    return this.bytes[this.#pos++];
  }

  #take(length: number): Uint8Array {
    if (this.#pos + length > this.bytes.length) throw new SmileError(`a ${length}-byte item at byte ${this.#pos} runs past the end (${this.bytes.length} bytes)`);
    const slice = this.bytes.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return slice;
  }

  #text(length: number, ascii: boolean): string {
    const raw = this.#take(length);
    try {
      return ascii ? latin1.decode(raw) : utf8.decode(raw);
    } catch {
      throw new SmileError(`invalid UTF-8 in a string ending at byte ${this.#pos}`);
    }
  }

  /** Text up to the end-of-string marker (long strings and long names). */
  #terminatedText(): string {
    const end = this.bytes.indexOf(END_OF_STRING, this.#pos);
    if (end < 0) throw new SmileError(`a long string at byte ${this.#pos} has no end marker`);
    const text = this.#text(end - this.#pos, false);
    this.#pos = end + 1;
    return text;
  }

  #unsignedVInt(): bigint {
    let value = 0n;
    for (let count = 0; count < 10; count++) {
      const b = this.#byte();
      if (b & 0x80) return (value << 6n) | BigInt(b & 0x3f);
      value = (value << 7n) | BigInt(b);
    }
    throw new SmileError(`a variable-length integer at byte ${this.#pos} is longer than 10 bytes`);
  }

  #length(): number {
    const length = this.#unsignedVInt();
    if (length > BigInt(this.bytes.length)) throw new SmileError(`length ${length} at byte ${this.#pos} is larger than the whole document`);
    return Number(length);
  }

  #signedVInt(): number | bigint {
    const zigzag = this.#unsignedVInt();
    return normalise((zigzag >> 1n) ^ -(zigzag & 1n));
  }

  /** `count` bytes of 7 bits each, as one unsigned number. */
  #sevenBitGroups(count: number): bigint {
    let value = 0n;
    for (let i = 0; i < count; i++) {
      const b = this.#byte();
      if (b & 0x80) throw new SmileError(`byte ${this.#pos - 1} of a 7-bit encoded number has its top bit set`);
      value = (value << 7n) | BigInt(b);
    }
    return value;
  }

  /**
   * Binary data sent 7 bits per byte: each 7 data bytes take 8 bytes; a last partial group of k bytes takes
   * k bytes of 7 bits and one byte holding the remaining k bits.
   */
  #sevenBitBinary(): Uint8Array {
    const length = this.#length();
    const out = new Uint8Array(length);
    let o = 0;
    for (; o + 7 <= length; o += 7) {
      let group = this.#sevenBitGroups(8);
      for (let i = 6; i >= 0; i--) {
        out[o + i] = Number(group & 0xffn);
        group >>= 8n;
      }
    }
    const rest = length - o;
    if (rest > 0) {
      let group = this.#sevenBitGroups(rest);
      const last = this.#byte();
      group = (group << BigInt(rest)) | BigInt(last & ((1 << rest) - 1));
      for (let i = rest - 1; i >= 0; i--) {
        out[o + i] = Number(group & 0xffn);
        group >>= 8n;
      }
    }
    return out;
  }

  #bigInteger(): bigint {
    const bytes = this.#sevenBitBinary();
    let value = 0n;
    for (const b of bytes) value = (value << 8n) | BigInt(b);
    // Two's complement, as Java's BigInteger.toByteArray writes it.
    if (bytes.length > 0 && bytes[0] & 0x80) value -= 1n << BigInt(bytes.length * 8);
    return value;
  }

  value(): SmileValue {
    const at = this.#pos;
    const token = this.#byte();
    if (token < 0x20) {
      if (token === 0) throw new SmileError(`invalid token 0x00 at byte ${at}`);
      return this.#values.get(token - 1, at);
    }
    if (token < 0x40) return this.#literal(token, at);
    if (token < 0xc0) {
      // Short strings: ASCII 1–32 and 33–64 bytes, Unicode 2–33 and 34–65 bytes. Every one joins the table.
      const ascii = token < 0x80;
      const length = (token & 0x1f) + (ascii ? 1 : 2) + (token & 0x20 ? 32 : 0);
      const text = this.#text(length, ascii);
      this.#values.add(text);
      return text;
    }
    if (token < 0xe0) {
      const zigzag = token & 0x1f;
      return (zigzag >> 1) ^ -(zigzag & 1);
    }
    switch (token) {
      case 0xe0:
      case 0xe4:
        return this.#terminatedText();
      case 0xe8:
        return this.#sevenBitBinary();
      case 0xec:
      case 0xed:
      case 0xee:
      case 0xef:
        return this.#values.get(((token & 3) << 8) | this.#byte(), at);
      case 0xf8:
        return this.#array();
      case 0xfa:
        return this.#object();
      case 0xfd:
        return this.#take(this.#length());
      default:
        throw new SmileError(`invalid value token 0x${token.toString(16)} at byte ${at}`);
    }
  }

  #literal(token: number, at: number): SmileValue {
    switch (token) {
      case 0x20:
        return '';
      case 0x21:
        return null;
      case 0x22:
        return false;
      case 0x23:
        return true;
      case 0x24:
      case 0x25:
        return this.#signedVInt();
      case 0x26:
        return normalise(this.#bigInteger());
      case 0x28:
        return new Float32Array(new Uint32Array([Number(this.#sevenBitGroups(5) & 0xffffffffn)]).buffer)[0];
      case 0x29: {
        const view = new DataView(new ArrayBuffer(8));
        view.setBigUint64(0, this.#sevenBitGroups(10) & 0xffffffffffffffffn);
        return view.getFloat64(0);
      }
      case 0x2a: {
        const scale = Number(this.#signedVInt());
        return Number(this.#bigInteger()) * 10 ** -scale;
      }
      default:
        throw new SmileError(`invalid value token 0x${token.toString(16)} at byte ${at}`);
    }
  }

  #array(): SmileValue[] {
    const items: SmileValue[] = [];
    while (this.#peek() !== 0xf9) items.push(this.value());
    this.#pos++;
    return items;
  }

  #object(): { [key: string]: SmileValue } {
    const object: { [key: string]: SmileValue } = {};
    for (;;) {
      const at = this.#pos;
      const token = this.#byte();
      if (token === 0xfb) return object;
      const key = this.#key(token, at);
      // A key such as "__proto__" must stay data, never reach the prototype.
      Object.defineProperty(object, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
    }
  }

  #key(token: number, at: number): string {
    if (token === 0x20) return '';
    if (token >= 0x30 && token <= 0x33) return this.#names.get(((token & 3) << 8) | this.#byte(), at);
    if (token === 0x34) {
      const name = this.#terminatedText();
      this.#names.add(name);
      return name;
    }
    if (token >= 0x40 && token <= 0x7f) return this.#names.get(token & 0x3f, at);
    if (token >= 0x80 && token <= 0xbf) {
      const name = this.#text((token & 0x3f) + 1, true);
      this.#names.add(name);
      return name;
    }
    if (token >= 0xc0 && token <= 0xf7) {
      const name = this.#text((token & 0x3f) + 2, false);
      this.#names.add(name);
      return name;
    }
    throw new SmileError(`invalid key token 0x${token.toString(16)} at byte ${at}`);
  }

  #peek(): number {
    if (this.#pos >= this.bytes.length) throw new SmileError(`unexpected end of data at byte ${this.#pos}`);
    return this.bytes[this.#pos];
  }
}

function normalise(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Decodes one SMILE document (header included) into plain values. */
export function decodeSmile(bytes: Uint8Array): SmileValue {
  return new SmileReader(bytes).value();
}
