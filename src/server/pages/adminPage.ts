import type { Context } from 'hono';
import { html } from 'hono/html';
import { isRole } from '../../access/roles.js';
import type { Database } from '../../db/openDatabase.js';
import { getHolidays } from '../../metrics/calendar/getHolidays.js';
import { SEVERITIES } from '../../policy/policySchema.js';
import { listPersonalTokens } from '../auth/personalTokens.js';
import { listUsers } from '../auth/users.js';
import { labelValue } from '../i18n/labelValue.js';
import { type MessageKey, MESSAGES } from '../i18n/messages.js';
import { isoSql, withConnection } from '../../db/withConnection.js';
import { formatDate, formatInstant, formatSeconds, TIME_ZONE } from '../i18n/resolveLang.js';
import type { ServerEnv } from '../routes/callerOf.js';
import { listSourceTokens } from '../tokens.js';
import { type PageContext, type PageOptions, pageContext } from './pageContext.js';
import { type Html, renderLayout, renderTable, withQuery } from './renderLayout.js';

const AUDIT_ROWS = 200;
/** Characters of an audit detail shown before it folds. */
const DETAIL_SHOWN = 120;

/** A role in words (messages.ts `role.*`); anything else an audit row may carry as it is. */
const roleLabel = (ctx: PageContext, role: string) => (isRole(role) ? ctx.t(`role.${role}`) : role);

/** An audit action in words, its code beside it (the filter searches by code prefixes); an unknown code as it is. */
function actionLabel(ctx: PageContext, action: string): Html | string {
  const key = `audit.action.${action}`;
  return key in MESSAGES[ctx.lang] ? html`${ctx.t(key as MessageKey)} <code>${action}</code>` : action;
}

interface AuditRow {
  id: number;
  occurred_at: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  detail: string | null;
}

/** Which rows of the audit log to show: an action prefix (`satisfaction.`, `user.add`) and rows older than an id. */
export interface AuditFilter {
  action?: string;
  before?: number;
}

/**
 * The audit log, newest first, AUDIT_ROWS at a time; filtered so that noise (refused reads) cannot
 * hide the rest. One row more is read (not returned) so that `more` says whether older rows exist.
 */
async function listAudit(db: Database, filter: AuditFilter): Promise<{ rows: AuditRow[]; more: boolean }> {
  const read = await withConnection(db, async (c) => {
    const reader = await c.runAndReadAll(
      `SELECT id::DOUBLE AS id, ${isoSql('occurred_at')} AS occurred_at, actor, role, action, target, detail
       FROM audit_log
       WHERE ($action::VARCHAR IS NULL OR starts_with(action, $action::VARCHAR))
         AND ($before::BIGINT IS NULL OR id < $before::BIGINT)
       ORDER BY id DESC LIMIT $limit`,
      { action: filter.action ?? null, before: filter.before ?? null, limit: AUDIT_ROWS + 1 },
    );
    return reader.getRowObjectsJS() as unknown as AuditRow[];
  });
  return { rows: read.slice(0, AUDIT_ROWS), more: read.length > AUDIT_ROWS };
}

function renderPolicy(ctx: PageContext, options: PageOptions): Html {
  const { policy } = options;
  const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric' }).format(options.now()));
  const severities = SEVERITIES.map((s) => {
    const rule = policy.severities[s];
    // The policy's name for the severity; on English pages its English name, as the other pages show it.
    return [ctx.lang === 'pt' ? rule.label : labelValue(ctx.lang, 'severity', s), rule.calendar, formatSeconds(rule.firstResponse), formatSeconds(rule.solution)];
  });
  const calendars = Object.entries(policy.calendars).map(([name, spec]) => [name, spec.label ?? '', spec.type]);
  const holidays = getHolidays(policy.holidays, year).map((h) => [formatDate(ctx.lang, h.date), h.name, ctx.t(`holiday.${h.source}`)]);
  return html`<h2>${ctx.t('admin.policy')}</h2>
    ${renderTable([ctx.t('col.severity'), ctx.t('col.calendar'), ctx.t('col.response'), ctx.t('col.solution')], severities, '')}
    ${renderTable([ctx.t('col.calendar'), ctx.t('col.name'), ctx.t('col.type')], calendars, '')}
    <h2>${ctx.t('admin.holidays')} ${year}</h2>
    ${renderTable([ctx.t('col.date'), ctx.t('col.name'), ctx.t('col.source')], holidays, ctx.t('admin.none'))}
    <details><summary>policy.json</summary><pre>${JSON.stringify(policy, null, 2)}</pre></details>`;
}

/** An audit row's detail: short ones as they are, long ones (a read of 200 tickets) folded after their start. */
function renderDetail(detail: string | null): Html | string {
  if (!detail) return '';
  if (detail.length <= DETAIL_SHOWN) return detail;
  return html`<details><summary>${detail.slice(0, DETAIL_SHOWN)}…</summary><code>${detail}</code></details>`;
}

/** `/admin` (admin only): users, source and personal tokens, the active policy and this year's holidays, then the audit log. Read-only. */
export async function renderAdminPage(c: Context<ServerEnv>, options: PageOptions) {
  const ctx = pageContext(c);
  const before = Number(c.req.query('before'));
  const auditFilter: AuditFilter = {
    action: c.req.query('action') || undefined,
    before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
  };
  const [users, sourceTokens, personalTokens, audit] = await Promise.all([
    listUsers(options.db),
    listSourceTokens(options.db),
    listPersonalTokens(options.db),
    listAudit(options.db, auditFilter),
  ]);
  const at = (iso: string | null) => formatInstant(ctx.lang, iso);
  const body = html`<h2>${ctx.t('admin.users')}</h2>
    ${renderTable(
      [ctx.t('col.email'), ctx.t('col.name'), ctx.t('col.role'), ctx.t('col.created'), ctx.t('col.disabled')],
      users.map((u) => [u.email, u.name, roleLabel(ctx, u.role), at(u.created_at), at(u.disabled_at)]),
      ctx.t('admin.none'),
    )}
    <h2>${ctx.t('admin.tokens')}</h2>
    ${renderTable(
      ['id', ctx.t('col.source'), 'HMAC', ctx.t('col.created'), ctx.t('col.last_used'), ctx.t('col.revoked')],
      sourceTokens.map((t) => [t.id, t.source, t.hmac ? ctx.t('yes') : ctx.t('no'), at(t.created_at), at(t.last_used_at), at(t.revoked_at)]),
      ctx.t('admin.none'),
    )}
    <h2>${ctx.t('admin.personal_tokens')}</h2>
    ${renderTable(
      ['id', ctx.t('col.email'), ctx.t('col.created'), ctx.t('col.last_used'), ctx.t('col.revoked')],
      personalTokens.map((t) => [t.id, t.email, at(t.created_at), at(t.last_used_at), at(t.revoked_at)]),
      ctx.t('admin.none'),
    )}
    ${renderPolicy(ctx, options)}
    <h2 id="audit">${ctx.t('admin.audit')}</h2>
    <form method="get" action="/admin#audit" class="filters">
      <label>${ctx.t('col.action')} <input name="action" value="${auditFilter.action ?? ''}" placeholder="satisfaction. · user. · token." /></label>
      <button type="submit">${ctx.t('filter.apply')}</button>
    </form>
    ${renderTable(
      [ctx.t('col.when'), ctx.t('col.actor'), ctx.t('col.role'), ctx.t('col.action'), ctx.t('col.target'), ctx.t('col.detail')],
      audit.rows.map((a) => [at(a.occurred_at), a.actor, roleLabel(ctx, a.role), actionLabel(ctx, a.action), a.target ?? '', renderDetail(a.detail)]),
      ctx.t('admin.none'),
    )}
    ${audit.more
      ? html`<p><a href="${withQuery(ctx.url, { before: String(audit.rows.at(-1)!.id) })}#audit">${ctx.t('admin.older')}</a></p>`
      : ''}`;
  return c.html(renderLayout(ctx.layout({ title: ctx.t('admin.title'), active: '/admin', body })));
}
