import { z } from 'zod';
import './styles.css';
import { ConsoleApp } from './app.ts';
import { completeCognitoSignIn, loadSession, saveSession } from './auth.ts';
import { loadConfig } from './config.ts';

// The page's Content-Security-Policy has no 'unsafe-eval': zod's eval-compiled fast path is off.
z.config({ jitless: true });

async function boot(root: HTMLElement): Promise<void> {
  const config = await loadConfig();
  let session = loadSession();
  let signInError: string | null = null;
  if (config.mode === 'cognito') {
    try {
      const completed = await completeCognitoSignIn(config);
      if (completed) {
        saveSession(completed);
        session = completed;
      }
    } catch (error) {
      signInError = (error as Error).message;
    }
  }
  const app = new ConsoleApp(root, config, session);
  app.state.signInError = signInError;
  app.start();
}

const root = document.getElementById('app')!;
boot(root).catch((error: Error) => {
  root.innerHTML = '';
  const main = document.createElement('main');
  const heading = document.createElement('h1');
  heading.textContent = 'The console could not start';
  const detail = document.createElement('p');
  detail.textContent = error.message;
  main.append(heading, detail);
  root.append(main);
});
