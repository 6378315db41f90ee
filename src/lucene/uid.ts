/**
 * Elasticsearch's binary `_id` encoding (6.x and later):
 *   first byte 0xFF → UTF-8 id follows; 0xFE → numeric id, two decimal digits per byte (0xF pads an odd length);
 *   0xFD → base64url id whose first character collided with a marker; anything else → the bytes are the id's
 *   base64url decoding (auto-generated ids).
 * Indices created on 5.x store `_uid` = "type#id" as a string instead.
 */
const UTF8 = 0xff;
const NUMERIC = 0xfe;
const BASE64_ESCAPE = 0xfd;
const utf8 = new TextDecoder();

export function decodeId(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  const marker = bytes[0];
  if (marker === UTF8) return utf8.decode(bytes.subarray(1));
  if (marker === NUMERIC) {
    let id = '';
    for (let i = 1; i < bytes.length; i++) {
      const high = bytes[i] >>> 4;
      const low = bytes[i] & 0x0f;
      id += String(high);
      if (low === 0x0f) break;
      id += String(low);
    }
    return id;
  }
  if (marker === BASE64_ESCAPE) return Buffer.from(bytes.subarray(1)).toString('base64url');
  return Buffer.from(bytes).toString('base64url');
}

/** Splits a 5.x `_uid` ("type#id") at its first '#'. */
export function splitUid(uid: string): { type: string; id: string } {
  const at = uid.indexOf('#');
  return at < 0 ? { type: '', id: uid } : { type: uid.slice(0, at), id: uid.slice(at + 1) };
}
