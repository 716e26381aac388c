import { formatRequestId, isRequestId } from '../../src/dsr';

describe('request ids', () => {
  it('writes the year and a four-digit number', () => {
    expect(formatRequestId(2026, 42)).toBe('DSR-2026-0042');
    expect(formatRequestId(2027, 1)).toBe('DSR-2027-0001');
  });

  it('keeps counting past 9999 in a year, and still recognises the result', () => {
    expect(formatRequestId(2026, 12345)).toBe('DSR-2026-12345');
    expect(isRequestId(formatRequestId(2026, 12345))).toBe(true);
  });

  it('recognises what it writes', () => {
    expect(isRequestId(formatRequestId(2026, 42))).toBe(true);
  });

  it.each([
    '',
    'dsr-2026-0042',
    'DSR-26-0042',
    'DSR-2026-42',
    'DSR-2026-0042 ',
    ' DSR-2026-0042',
    'DSR-2026-0042\n',
    'DSR_2026_0042',
    'DSR-2026-00a2',
    'DSR-٢٠٢٦-0042',
    "DSR-2026-0042' OR 1=1 --",
    "x' OR 1=1 OR T.$dtId != '",
  ])('rejects %p', (text) => {
    expect(isRequestId(text)).toBe(false);
  });
});
