import { Hono } from 'hono';
import { AccessError, type Role } from '../../access/roles.js';
import { explainTicket, type TicketExplanation, UnknownTicketError } from '../../metrics/explainTicket.js';
import { listMetrics } from '../../metrics/registry/metrics.js';
import { getMetric } from '../../metrics/registry/queryMetric.js';
import {
  encodeFollowUpCursor,
  type FollowUpStatus,
  listFollowUpPage,
} from '../../metrics/satisfaction/listFollowUps.js';
import { buildOpenApiDocument } from './buildOpenApiDocument.js';
import { callerOf, type ServerEnv } from './callerOf.js';
import type { PageOptions } from '../pages/pageContext.js';
import { ARROW_TYPE, CSV_TYPE, exportFileName, formatMetricArrow, formatMetricCsv } from './formatMetricResult.js';
import { listOpenTickets, listTicketEvents, parseOpenTicketsParams } from './listOpenTickets.js';
import { readBy, readFilters, readPeriod } from './readPeriod.js';

/** What the pages get too: the database, the policy, the clock and the shared metric reader. */
export type ApiOptions = PageOptions;

const FORMATS = ['json', 'csv', 'arrow'] as const;

/**
 * `/api/v1` (besides POST /events): metrics by name as JSON, CSV or Arrow; open tickets and one
 * ticket explained; the follow-up queue; the OpenAPI document. Who may read what is decided by the
 * metric registry and the satisfaction zone, from the caller (personal token or session).
 */
export function createApiRoutes({ db, policy, now, readMetric }: ApiOptions): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();

  app.get('/openapi.json', (c) => c.json(buildOpenApiDocument(callerOf(c).role)));

  app.get('/metrics', (c) => c.json({ metrics: listMetrics(callerOf(c).role) }));

  app.get('/metrics/:name', async (c) => {
    const caller = callerOf(c);
    const name = c.req.param('name');
    getMetric(name); // 404 unknown_metric before anything else
    const format = c.req.query('format') ?? 'json';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new AccessError(400, 'invalid_query', `format: esperava ${FORMATS.join(', ')}`);
    }
    const query = c.req.query();
    const period = readPeriod(query, now());
    const result = await readMetric(caller, { name, ...period, by: readBy(c.req.queries('by')), filters: readFilters(query) });
    if (format === 'csv') {
      return c.body(formatMetricCsv(result), 200, {
        'Content-Type': CSV_TYPE,
        'Content-Disposition': `attachment; filename="${exportFileName(result, 'csv')}"`,
      });
    }
    if (format === 'arrow') {
      return c.body(formatMetricArrow(result) as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': ARROW_TYPE,
        'Content-Disposition': `attachment; filename="${exportFileName(result, 'arrow')}"`,
      });
    }
    return c.json(result);
  });

  app.get('/tickets', async (c) => {
    callerOf(c);
    const tickets = await listOpenTickets(db, parseOpenTicketsParams(c.req.query()));
    return c.json({ tickets });
  });

  app.get('/tickets/:id', async (c) => {
    const caller = callerOf(c);
    const ticket = c.req.param('id');
    try {
      const explanation = await explainTicket(db, policy, ticket, { now: now() });
      return c.json({ ...presentTicket(explanation, caller.role), events: await listTicketEvents(db, ticket) });
    } catch (error) {
      if (error instanceof UnknownTicketError) throw new AccessError(404, 'unknown_ticket', `chamado desconhecido: ${ticket}`);
      throw error;
    }
  });

  // One page of the queue; next_after (null on the last page) is the `after` of the next one.
  app.get('/followups', async (c) => {
    const caller = callerOf(c);
    const { status, from, to, limit, after } = c.req.query();
    // A bad cursor is refused by listFollowUpPage, once the caller may read the queue (an analyst gets 403 first).
    const page = await listFollowUpPage(db, caller, {
      ...(status ? { status: status as FollowUpStatus } : {}),
      ...(from || to ? { from, to } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
      ...(after ? { after } : {}),
    });
    return c.json({ followups: page.rows, next_after: page.next ? encodeFollowUpCursor(page.next) : null });
  });

  return app;
}

/**
 * What the API shows of an explained ticket: not the recompute's bookkeeping (the first and last
 * event instants and when the row was written), and to analysts not the requester's pseudonym.
 */
export function presentTicket(explanation: TicketExplanation, role: Role): Record<string, unknown> {
  const { first_event_at: _first, last_event_at: _last, computed_at: _computed, ...shown } = explanation as Record<string, unknown>;
  if (role === 'analyst') delete shown.requester;
  return shown;
}
