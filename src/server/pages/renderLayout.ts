import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { type Role, roleAtLeast } from '../../access/roles.js';
import { CSRF_FIELD } from '../auth/createAuthMiddleware.js';
import type { SessionUser } from '../auth/types.js';
import { type Lang, type MessageKey, translate } from '../i18n/messages.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The pages, in nav order, with the least role that may open each (the routes check the same table). */
export const PAGES = [
  { path: '/', key: 'nav.overview', role: 'analyst' },
  { path: '/sla', key: 'nav.sla', role: 'analyst' },
  { path: '/em-risco', key: 'nav.at_risk', role: 'analyst' },
  { path: '/categorias', key: 'nav.categories', role: 'analyst' },
  { path: '/satisfacao', key: 'nav.satisfaction', role: 'lead' },
  { path: '/relatorios', key: 'nav.reports', role: 'leadership' },
  { path: '/admin', key: 'nav.admin', role: 'admin' },
] as const satisfies readonly { path: string; key: MessageKey; role: Role }[];

export type PagePath = (typeof PAGES)[number]['path'];

/** The least role of a page in PAGES. */
export function pageRole(path: PagePath): Role {
  return PAGES.find((page) => page.path === path)!.role;
}

export interface LayoutProps {
  lang: Lang;
  user: SessionUser | undefined;
  csrfToken: string;
  /** The nav entry to mark as current. */
  active?: PagePath;
  title: string;
  /** The request URL: the language toggle links to it with the other lang. */
  url: string;
  body: Html;
  /** Reload the page every N seconds (Em risco). */
  refreshSeconds?: number;
  /** Extra scripts from /assets, loaded deferred (no inline scripts: the CSP forbids them). */
  scripts?: string[];
  /** Print layout: no nav (the weekly PDF prints pages like this). */
  bare?: boolean;
  /** The page draws charts: dashboard.js sets data-ready once they rendered; otherwise it is ready at once. */
  charts?: boolean;
}

/**
 * The path and query of `url` with `changes` made (a value sets that parameter, undefined removes
 * it): links that keep the page's other parameters (filters, language, paging).
 */
export function withQuery(url: string, changes: Record<string, string | undefined>): string {
  const target = new URL(url, 'http://x');
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) target.searchParams.delete(name);
    else target.searchParams.set(name, value);
  }
  return `${target.pathname}${target.search}`;
}

/** The hidden field that carries the CSRF token in every form a session posts. */
export const csrfInput = (token: string): Html => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}" />`;

const toggleHref = (url: string, lang: Lang) => withQuery(url, { lang: lang === 'pt' ? 'en' : 'pt' });

function renderNav(props: LayoutProps): Html {
  const { lang, user, active } = props;
  const t = (key: MessageKey) => translate(lang, key);
  const links = user
    ? PAGES.filter((page) => roleAtLeast(user.role, page.role)).map(
        (page) => html`<li><a href="${page.path}"${page.path === active ? html` aria-current="page"` : ''}>${t(page.key)}</a></li>`,
      )
    : [];
  return html`<header class="top">
    <a class="brand" href="/">${t('app.name')}</a>
    <nav aria-label="principal"><ul>${links}</ul></nav>
    <div class="session">
      <a href="${toggleHref(props.url, lang)}" hreflang="${lang === 'pt' ? 'en' : 'pt-BR'}">${t('nav.language')}</a>
      ${user
        ? html`<span class="who" title="${user.role}">${user.name || user.email}</span>
            <form method="post" action="/logout" class="inline">
              ${csrfInput(props.csrfToken)}
              <button type="submit" class="link">${t('nav.logout')}</button>
            </form>`
        : ''}
    </div>
  </header>`;
}

/** The HTML document around a page: head, nav filtered by the user's role, main. */
export function renderLayout(props: LayoutProps): Html {
  const { lang } = props;
  return html`<!doctype html>
<html lang="${lang === 'pt' ? 'pt-BR' : 'en'}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
${props.refreshSeconds
  ? // refresh.js reloads the page unless someone is typing in one of its forms; without scripts, the meta refresh.
    html`<noscript><meta http-equiv="refresh" content="${props.refreshSeconds}" /></noscript>
<script defer src="/assets/refresh.js"></script>`
  : ''}
<title>${props.title} · ${translate(lang, 'app.name')}</title>
<link rel="icon" href="data:," />
<link rel="stylesheet" href="/assets/app.css" />
${(props.scripts ?? []).map((src) => html`<script defer src="${src}"></script>`)}
</head>
<body${props.bare ? html` class="print"` : ''} data-lang="${lang}"${props.charts ? '' : html` data-ready="true"`}${props.refreshSeconds ? html` data-refresh-seconds="${props.refreshSeconds}"` : ''}>
<a class="skip" href="#main">${translate(lang, 'nav.skip')}</a>
${props.bare ? '' : renderNav(props)}
<main id="main">
<h1>${props.title}</h1>
${props.body}
</main>
</body>
</html>`;
}

/** A plain table: header keys and rows of already-formatted cells. */
export function renderTable(headers: string[], rows: (string | number | Html)[][], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="table-wrap"><table>
    <thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${rows.map((row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}
