import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Role } from '../../access/roles.js';
import { type Lang, type MessageKey, translate } from '../i18n/messages.js';

const otherLang = (lang: Lang): Lang => (lang === 'pt' ? 'en' : 'pt');

function errorTitle(lang: Lang, status: number): string {
  return translate(lang, status === 404 ? 'auth.error.not_found' : status >= 500 ? 'auth.error.internal' : 'auth.error.refused');
}

export type LoginProblem = { kind: 'bad_credentials' } | { kind: 'expired_form' } | { kind: 'locked'; minutes: number };

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f6f8; color: #1d2733; }
  main { max-width: 22rem; margin: 12vh auto; padding: 2rem; background: #fff; border-radius: 8px;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; margin: 1rem 0 .25rem; }
  input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: .6rem; font: inherit;
         border: 1px solid #9aa5b1; border-radius: 4px; }
  button { margin-top: 1.5rem; width: 100%; padding: .7rem; font: inherit; color: #fff; background: #1f5fa8;
         border: 0; border-radius: 4px; cursor: pointer; }
  .alert { padding: .75rem; border-radius: 4px; background: #fdecea; color: #8a1c12; }
  .lang { display: block; margin-top: 1.5rem; text-align: right; font-size: .9rem; }
`;

function page(lang: Lang, title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>
<html lang="${lang === 'pt' ? 'pt-BR' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Prazo</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function problemText(lang: Lang, problem: LoginProblem): string {
  if (problem.kind === 'locked') return translate(lang, problem.minutes === 1 ? 'auth.locked.one' : 'auth.locked.other', { minutes: problem.minutes });
  return translate(lang, problem.kind === 'expired_form' ? 'auth.expired_form' : 'auth.bad_credentials');
}

/** The login form (pt-BR by default); `next` is where a successful sign-in goes. */
export function renderLoginPage(options: { lang: Lang; csrfToken: string; next: string; email?: string; problem?: LoginProblem }) {
  const { lang, csrfToken, next, email = '', problem } = options;
  const t = (key: MessageKey) => translate(lang, key);
  const other = otherLang(lang);
  const switchUrl = `/login?lang=${other}${next !== '/' ? `&next=${encodeURIComponent(next)}` : ''}`;
  return page(
    lang,
    t('auth.sign_in'),
    html`<h1>${t('auth.heading')}</h1>
${problem ? html`<p class="alert" role="alert">${problemText(lang, problem)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${csrfToken}">
<input type="hidden" name="next" value="${next}">
<label for="email">${t('auth.email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${email}"${email ? '' : html` autofocus`}>
<label for="password">${t('auth.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${email ? html` autofocus` : ''}>
<button type="submit">${t('auth.sign_in')}</button>
</form>
<a class="lang" href="${switchUrl}" hreflang="${other}">${t('nav.language')}</a>`,
  );
}

/** The 403 page a signed-in user sees on a page above their role. */
export function renderForbiddenPage(lang: Lang, role: Role) {
  const title = translate(lang, 'auth.forbidden_title');
  return page(
    lang,
    title,
    html`<h1>${title}</h1>
<p class="alert" role="alert">${translate(lang, 'auth.forbidden', { role: translate(lang, `role.${role}`) })}</p>
<p><a href="/">${translate(lang, 'auth.home')}</a></p>`,
  );
}

/** The HTML page a browser gets for an error on a page (the API answers the JSON envelope). */
export function renderErrorPage(lang: Lang, status: number, code: string, message: string) {
  const title = errorTitle(lang, status);
  return page(
    lang,
    title,
    html`<h1>${title}</h1>
<p class="alert" role="alert" data-error-code="${code}">${message}</p>
<p><a href="/">${translate(lang, 'auth.home')}</a></p>`,
  );
}
