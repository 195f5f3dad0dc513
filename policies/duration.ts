/** Days in an ISO 8601 duration such as P90D, P1Y or P2M (months as 30 days, years as 365); NaN if unreadable. */
export function isoDurationDays(duration: unknown): number {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(String(duration ?? ""));
  if (!match || !match.slice(1).some(Boolean)) return Number.NaN;
  const [years, months, weeks, days] = match.slice(1).map((part) => Number(part ?? 0));
  return years * 365 + months * 30 + weeks * 7 + days;
}
