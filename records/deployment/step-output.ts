/** What is kept of a step's output: its end, where the outcome and the error are. */
export const OUTPUT_LIMIT = 64 * 1024;
const MASK = '***';
// Shorter values are no secret worth the name, and masking every "1" or "yes" would garble the output.
const SHORTEST_SECRET = 4;

/**
 * Replaces the adapter's secret values by *** in what a step prints. Output arrives in chunks, and a secret may
 * straddle two of them, so the collector holds back the end of each chunk that could begin a secret until the
 * next chunk (or the end) shows what it is. The step output and its failure message are built only from this.
 */
export function maskedOutput(secrets: Iterable<string>) {
  const values = [...new Set(secrets)].filter((value) => value.length >= SHORTEST_SECRET).sort((a, b) => b.length - a.length);
  const holdBack = Math.max(0, (values[0]?.length ?? 0) - 1);
  const mask = (text: string) => values.reduce((masked, value) => masked.split(value).join(MASK), text);
  let kept = '';
  let held = '';
  const keep = (text: string) => {
    kept = (kept + text).slice(-OUTPUT_LIMIT);
  };
  return {
    mask,
    add(chunk: string) {
      const masked = mask(held + chunk);
      const cut = masked.length - Math.min(holdBack, masked.length);
      held = masked.slice(cut);
      keep(masked.slice(0, cut));
    },
    /** The output so far; the held-back end holds no whole secret, only what could have begun one. */
    text: () => (kept + held).slice(-OUTPUT_LIMIT),
  };
}
