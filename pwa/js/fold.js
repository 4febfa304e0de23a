// Repeats told once: the access log shows "You looked at milestones · 12 times" on one line,
// not twelve, when the same person did the same thing again and again within a short span.
export const FOLD_SPAN_MS = 30 * 60 * 1000;

// Adds `entries` (newest first, each with an ISO `at`) to `groups`, folding an entry into the
// group before it when keyOf gives the same key and it is within spanMs of that group's newest.
// Only neighbours fold, so the order of what happened stays true. Pages of a long log can be
// added one after another: a run that crosses pages stays one group.
export function foldRepeats(groups, entries, keyOf, spanMs = FOLD_SPAN_MS) {
  for (const entry of entries) {
    const key = keyOf(entry);
    const last = groups.at(-1);
    if (last && last.key === key && Date.parse(last.newest.at) - Date.parse(entry.at) <= spanMs) {
      last.count += 1;
      last.oldest = entry;
    } else {
      groups.push({ key, newest: entry, oldest: entry, count: 1 });
    }
  }
  return groups;
}
