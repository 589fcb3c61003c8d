/**
 * How long a health probe may wait before a test calls the platform's event loop stalled.
 * The defects these tests guard against held the loop for seconds (a 256 KB datacontenttype:
 * 40 s; 5,000-deep JSON: a crash). A healthy process answers in a few ms alone, but CI runs
 * the suite's files in parallel on 2 cores, and there a healthy probe was seen at 114 and
 * 121 ms (CI run of 2026-12-01), so the bound sits an order of magnitude above that noise and
 * still far below any real stall.
 */
export const STALL_BOUND_MS = 1000;
