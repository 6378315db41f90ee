/** `length` bytes in a pattern that repeats every 251 bytes, so a byte out of place or lost shows. */
export function patterned(length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = i % 251;
  return bytes;
}
