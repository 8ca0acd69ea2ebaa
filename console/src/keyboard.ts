import type { ConsoleApp } from './app.ts';

/** Shown in the help dialog (?), in this order. */
export const SHORTCUTS: { keys: string[]; does: string; where: string }[] = [
  { keys: ['1', '2', '3', '4', '5'], does: 'Set the overall score', where: 'Call' },
  { keys: ['e'], does: 'Edit the notes (corrections) or stop editing', where: 'Call' },
  { keys: ['s'], does: 'Save the rating and open the next unrated call', where: 'Call' },
  { keys: ['j'], does: 'Next call', where: 'Call, calls list' },
  { keys: ['k'], does: 'Previous call', where: 'Call, calls list' },
  { keys: ['Esc'], does: 'Leave a text field (then shortcuts work again); close this help', where: 'Anywhere' },
  { keys: ['?'], does: 'Show or hide this help', where: 'Anywhere' },
];

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'number', 'date', 'url', 'tel', 'password', 'datetime-local', 'month', 'week', 'time']);

/** Typing in a field never triggers a shortcut; Esc leaves the field so the next key does. */
function isTextEntry(target: EventTarget | null): target is HTMLElement {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(target.type);
}

export function handleShortcut(app: ConsoleApp, event: KeyboardEvent): void {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const help = document.getElementById('help-dialog');
  if (help instanceof HTMLDialogElement && help.open) {
    if (event.key === '?') {
      help.close();
      event.preventDefault();
    }
    return; // the dialog closes itself on Esc
  }
  if (isTextEntry(event.target)) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.target.blur();
      document.getElementById('save-rating')?.focus();
    }
    return;
  }
  if (!app.state.session) return;
  const route = app.state.route.name;
  const handled = (() => {
    if (event.key === '?') return openHelp(), true;
    if (route === 'call') {
      if (/^[1-5]$/.test(event.key)) return app.setScore(Number(event.key)), true;
      if (event.key === 's') return void app.save(), true;
      if (event.key === 'e') return app.toggleEdit(), true;
      if (event.key === 'j') return void app.neighbour(1), true;
      if (event.key === 'k') return void app.neighbour(-1), true;
    }
    if (route === 'calls' && (event.key === 'j' || event.key === 'k')) return moveRowFocus(event.key === 'j' ? 1 : -1), true;
    return false;
  })();
  if (handled) event.preventDefault();
}

export function openHelp(): void {
  const help = document.getElementById('help-dialog');
  if (help instanceof HTMLDialogElement && !help.open) help.showModal();
}

/** In the list, j/k move between the calls' links; Enter opens one. */
function moveRowFocus(offset: 1 | -1): void {
  const links = [...document.querySelectorAll<HTMLAnchorElement>('a[data-call-link]')];
  if (!links.length) return;
  const index = links.indexOf(document.activeElement as HTMLAnchorElement);
  const next = links[index < 0 ? (offset === 1 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, index + offset))];
  next?.focus();
}
