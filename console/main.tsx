// The console's entry point: Firebase Auth first (its configuration comes from Hosting), then the
// app. A failure to start is shown on the page, not only in the console.
import { render } from 'preact';
import { useAuth } from './api';
import { App } from './app';
import { startAuth } from './firebase';
import './style.css';

const root = document.getElementById('app')!;

startAuth().then(
  (auth) => {
    useAuth(auth);
    root.textContent = '';
    render(<App auth={auth} />, root);
  },
  (error: Error) => {
    root.querySelector('.boot p')!.textContent = `The console could not start: ${error.message}`;
  },
);
