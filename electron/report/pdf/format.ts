/** Text formats shared by the report sections. */

/** Formats an ISO-8601 time as `2025-06-02 10:31:08 UTC`; `-` for none. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatDay(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.slice(0, 10);
}

/** Formats a rate in [0, 1] as a percentage with one decimal; `n/a` when nothing was evaluated. */
export function formatPercent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)} %`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function criticalityText(value: number | null, label: string | null): string {
  return value === null ? (label ?? 'UNDEFINED') : `${label ?? 'UNDEFINED'} (${value})`;
}
