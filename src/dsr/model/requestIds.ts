/** `DSR-2026-0042`: the year the request was received and its number in that year. */
export function formatRequestId(year: number, sequence: number): string {
  return `DSR-${year}-${String(sequence).padStart(4, '0')}`;
}

const REQUEST_ID = /^DSR-\d{4}-\d{4,}$/;

/** Whether `text` has the shape of a request id (before anyone looks it up). */
export function isRequestId(text: string): boolean {
  return REQUEST_ID.test(text);
}
