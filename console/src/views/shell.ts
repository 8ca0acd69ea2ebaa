import { html, nothing, type TemplateResult } from 'lit-html';
import type { ConsoleApp } from '../app.ts';
import { openHelp, SHORTCUTS } from '../keyboard.ts';
import { callView } from './call.ts';
import { callsView } from './calls.ts';
import { signInView } from './sign-in.ts';
import { datasetsView, modelsView } from './supervisor.ts';

/** Landmarks: banner (title, navigation, who is signed in), main (one h1 per view), contentinfo. */
export function shell(app: ConsoleApp): TemplateResult {
  const { session, route, status } = app.state;
  return html`
    <a class="skip-link" href="#main" @click=${skipToMain}>Skip to content</a>
    <header class="banner">
      <div class="brand"><span class="brand-mark" aria-hidden="true">▍</span>Call notes review</div>
      ${session
        ? html`<nav aria-label="Console">
              <ul>
                <li><a href="#/calls" aria-current=${route.name === 'calls' || route.name === 'call' ? 'page' : nothing}>Calls</a></li>
                ${session.role === 'supervisor'
                  ? html`<li><a href="#/datasets" aria-current=${route.name === 'datasets' ? 'page' : nothing}>Datasets</a></li>
                      <li><a href="#/models" aria-current=${route.name === 'models' ? 'page' : nothing}>Models</a></li>`
                  : nothing}
              </ul>
            </nav>
            <div class="who">
              <span><span class="visually-hidden">Signed in as </span><strong>${session.agentId}</strong> <span class="role-badge">${session.role}</span></span>
              <button type="button" class="quiet" @click=${openHelp} aria-keyshortcuts="?">Shortcuts <kbd>?</kbd></button>
              <button type="button" class="quiet" @click=${() => app.signOut()}>Sign out</button>
            </div>`
        : nothing}
    </header>
    <main id="main" tabindex="-1">
      <div class="status ${status ? `status-${status.tone}` : ''}" role="status" aria-live="polite" aria-atomic="true" id="status">${status?.message ?? ''}</div>
      ${app.state.busy ? html`<p class="busy" aria-hidden="true">${app.state.busy}</p>` : nothing}
      ${!session ? signInView(app) : content(app)}
    </main>
    <footer class="footer">
      ${app.config.mode === 'local'
        ? html`<p>Local stack: sign-in is simulated with tokens the stack signs itself. Deployed, the console signs in through Cognito.</p>`
        : html`<p>Signed in through Cognito. Tokens stay in this tab's session storage.</p>`}
    </footer>
    <dialog id="help-dialog" aria-labelledby="help-title">
      <h2 id="help-title">Keyboard shortcuts</h2>
      <table>
        <caption class="visually-hidden">Keys and what they do</caption>
        <thead><tr><th scope="col">Keys</th><th scope="col">Does</th><th scope="col">Where</th></tr></thead>
        <tbody>
          ${SHORTCUTS.map((s) => html`<tr><td>${s.keys.map((k, i) => html`${i ? ' ' : ''}<kbd>${k}</kbd>`)}</td><td>${s.does}</td><td>${s.where}</td></tr>`)}
        </tbody>
      </table>
      <p>Shortcuts are off while you type in a field: press <kbd>Esc</kbd> to leave it.</p>
      <form method="dialog"><button type="submit" class="primary">Close</button></form>
    </dialog>
  `;
}

function content(app: ConsoleApp): TemplateResult {
  const { route, session } = app.state;
  if ((route.name === 'datasets' || route.name === 'models') && session?.role !== 'supervisor') {
    return html`<h1 id="main-heading" tabindex="-1">Supervisors only</h1>
      <p>Dataset versions and the model registry are for supervisors. <a href="#/calls">Back to your calls</a>.</p>`;
  }
  switch (route.name) {
    case 'call':
      return callView(app);
    case 'datasets':
      return datasetsView(app);
    case 'models':
      return modelsView(app);
    default:
      return callsView(app);
  }
}

function skipToMain(event: Event): void {
  event.preventDefault(); // the hash holds the route: focus the main region instead of navigating
  document.getElementById('main')?.focus();
}
