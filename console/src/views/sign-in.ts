import { html, nothing, type TemplateResult } from 'lit-html';
import type { ConsoleApp } from '../app.ts';
import type { Role } from '../auth.ts';

export function signInView(app: ConsoleApp): TemplateResult {
  const error = app.state.signInError;
  if (app.config.mode === 'cognito') {
    return html`<section class="card narrow" aria-labelledby="main-heading">
      <h1 id="main-heading" tabindex="-1">Sign in</h1>
      <p>Review and correct the notes written for your calls.</p>
      ${error ? html`<p class="field-error" id="signin-error" tabindex="-1">${error}</p>` : nothing}
      <button type="button" class="primary" @click=${() => void app.signInCognito()}>Sign in with your company account</button>
    </section>`;
  }
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    void app.signInLocal(String(form.get('agentId') ?? ''), (form.get('role') === 'supervisor' ? 'supervisor' : 'agent') as Role);
  };
  return html`<section class="card narrow" aria-labelledby="main-heading">
    <h1 id="main-heading" tabindex="-1">Sign in to the local stack</h1>
    <p>Pick who you are. The local stack signs a token with the same claims Cognito would (agent id and group); it never leaves this tab.</p>
    ${error ? html`<p class="field-error" id="signin-error" tabindex="-1" role="alert">${error}</p>` : nothing}
    <form @submit=${submit} class="stack" aria-describedby=${error ? 'signin-error' : nothing}>
      <fieldset>
        <legend>Role</legend>
        <label class="choice"><input type="radio" name="role" value="agent" checked /> Agent <span class="hint">(your own calls)</span></label>
        <label class="choice"><input type="radio" name="role" value="supervisor" /> Supervisor <span class="hint">(every call, datasets, models)</span></label>
      </fieldset>
      <div class="field">
        <label for="signin-agent">Agent id</label>
        <input id="signin-agent" name="agentId" required maxlength="128" pattern="[A-Za-z0-9._@\\-]+" autocomplete="username" list="known-agents" value=${app.state.knownAgents[0] ?? 'agent-0142'} aria-describedby="signin-agent-hint" />
        <p class="hint" id="signin-agent-hint">The id the contact-center system sends as <code>agentId</code>${app.state.knownAgents.length ? html`, e.g. one from the sample calls` : nothing}.</p>
        <datalist id="known-agents">${app.state.knownAgents.map((a) => html`<option value=${a}></option>`)}</datalist>
      </div>
      <button type="submit" class="primary" ?disabled=${Boolean(app.state.busy)}>Sign in</button>
    </form>
  </section>`;
}
