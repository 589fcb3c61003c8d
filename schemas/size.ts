/** Byte sizes as users write them: `1048576`, `512KiB`, `4MiB`, `1MB` (decimal units are 1000-based). */
const SIZE = /^(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };

export const SIZE_EXPECTED = 'bytes, or a number with KiB, MiB or GiB, like 1MiB';

/** Bytes, or undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1);
}

/** `1 MiB`, `512 KiB`, `1500 bytes`: a size as a message shows it, in the largest binary unit that divides it. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
