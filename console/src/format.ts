const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

export const formatDateTime = (iso: string | null | undefined): string => {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${dateTime.format(date)} UTC`;
};

export const formatDate = (isoDate: string | null | undefined): string => {
  if (!isoDate) return 'no date';
  const date = new Date(`${isoDate}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? isoDate : dateOnly.format(date);
};

export const formatMs = (ms: number | undefined): string => {
  if (ms === undefined) return '';
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

export const OUTCOME_LABELS: Record<string, string> = {
  resolved: 'Resolved',
  unresolved: 'Unresolved',
  escalated: 'Escalated',
  follow_up: 'Follow-up',
};

export const OWNER_LABELS: Record<string, string> = { agent: 'Agent', customer: 'Customer', company: 'Company' };

/** A date input's yyyy-mm-dd as the API's ISO date-time bounds (from inclusive, to exclusive: the next midnight). */
export const startOfDay = (date: string): string => `${date}T00:00:00Z`;
export const startOfNextDay = (date: string): string => {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().replace('.000Z', 'Z');
};
