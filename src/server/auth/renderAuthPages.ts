import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Role } from '../../access/roles.js';
import type { Lang } from '../i18n/messages.js';

const TEXT = {
  pt: {
    title: 'Entrar',
    heading: 'Entrar no Prazo',
    email: 'E-mail',
    password: 'Senha',
    submit: 'Entrar',
    other: 'English',
    otherLang: 'en',
    badCredentials: 'E-mail ou senha incorretos.',
    expiredForm: 'O formulário expirou. Tente entrar novamente.',
    locked: (minutes: number) =>
      `Muitas tentativas sem sucesso. Por segurança, o acesso está bloqueado por ${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}; tente novamente depois.`,
    forbiddenTitle: 'Acesso negado',
    errorTitle: (status: number) => (status === 404 ? 'Página não encontrada' : status >= 500 ? 'Erro interno' : 'Pedido recusado'),
    forbidden: (role: string) => `Seu perfil (${role}) não tem acesso a esta página.`,
    home: 'Voltar ao início',
    roles: { analyst: 'Analista', lead: 'Líder', leadership: 'Diretoria', admin: 'Administrador' },
  },
  en: {
    title: 'Sign in',
    heading: 'Sign in to Prazo',
    email: 'E-mail',
    password: 'Password',
    submit: 'Sign in',
    other: 'Português',
    otherLang: 'pt',
    badCredentials: 'Wrong e-mail or password.',
    expiredForm: 'The form expired. Please sign in again.',
    locked: (minutes: number) =>
      `Too many failed attempts. For your security, sign-in is locked for ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}; try again later.`,
    forbiddenTitle: 'Access denied',
    errorTitle: (status: number) => (status === 404 ? 'Page not found' : status >= 500 ? 'Internal error' : 'Request refused'),
    forbidden: (role: string) => `Your role (${role}) does not have access to this page.`,
    home: 'Back to the start page',
    roles: { analyst: 'Analyst', lead: 'Lead', leadership: 'Leadership', admin: 'Administrator' },
  },
} as const;

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
  const t = TEXT[lang];
  if (problem.kind === 'locked') return t.locked(problem.minutes);
  return problem.kind === 'expired_form' ? t.expiredForm : t.badCredentials;
}

/** The login form (pt-BR by default); `next` is where a successful sign-in goes. */
export function renderLoginPage(options: { lang: Lang; csrfToken: string; next: string; email?: string; problem?: LoginProblem }) {
  const { lang, csrfToken, next, email = '', problem } = options;
  const t = TEXT[lang];
  const switchUrl = `/login?lang=${t.otherLang}${next !== '/' ? `&next=${encodeURIComponent(next)}` : ''}`;
  return page(
    lang,
    t.title,
    html`<h1>${t.heading}</h1>
${problem ? html`<p class="alert" role="alert">${problemText(lang, problem)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${csrfToken}">
<input type="hidden" name="next" value="${next}">
<label for="email">${t.email}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${email}"${email ? '' : html` autofocus`}>
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${email ? html` autofocus` : ''}>
<button type="submit">${t.submit}</button>
</form>
<a class="lang" href="${switchUrl}" hreflang="${t.otherLang}">${t.other}</a>`,
  );
}

/** The 403 page a signed-in user sees on a page above their role. */
export function renderForbiddenPage(lang: Lang, role: Role) {
  const t = TEXT[lang];
  return page(
    lang,
    t.forbiddenTitle,
    html`<h1>${t.forbiddenTitle}</h1>
<p class="alert" role="alert">${t.forbidden(t.roles[role])}</p>
<p><a href="/">${t.home}</a></p>`,
  );
}

/** The HTML page a browser gets for an error on a page (the API answers the JSON envelope). */
export function renderErrorPage(lang: Lang, status: number, code: string, message: string) {
  const t = TEXT[lang];
  const title = t.errorTitle(status);
  return page(
    lang,
    title,
    html`<h1>${title}</h1>
<p class="alert" role="alert" data-error-code="${code}">${message}</p>
<p><a href="/">${t.home}</a></p>`,
  );
}
