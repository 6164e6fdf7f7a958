import { Hono } from 'hono';
import { requireRole } from '../auth/guards.js';
import type { ServerEnv } from '../routes/callerOf.js';
import { createReportArchiveRoutes } from '../routes/createReportArchiveRoutes.js';
import { renderAdminPage } from './adminPage.js';
import { renderAtRiskPage } from './atRiskPage.js';
import { renderCategoriesPage } from './categoriesPage.js';
import { renderOverviewPage } from './overviewPage.js';
import type { PageOptions } from './pageContext.js';
import { pageRole } from './renderLayout.js';
import { createFollowUpFormRoutes, renderSatisfactionPage } from './satisfactionPage.js';
import { renderSlaPage } from './slaPage.js';
import { renderTicketPage } from './ticketPage.js';

/**
 * The pages, each behind requireRole with the least role PAGES gives it (the nav shows the same
 * table): anonymous visitors are sent to /login, lower roles get a 403 page.
 */
export function createPageRoutes(options: PageOptions): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  // Browsers ask for it on every site; no icon, and no 404 in their consoles.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=86400' }));
  app.get('/', requireRole(pageRole('/')), (c) => renderOverviewPage(c, options));
  app.get('/sla', requireRole(pageRole('/sla')), (c) => renderSlaPage(c, options));
  app.get('/tickets/:id', requireRole('analyst'), (c) => renderTicketPage(c, options));
  app.get('/em-risco', requireRole(pageRole('/em-risco')), (c) => renderAtRiskPage(c, options));
  app.get('/categorias', requireRole(pageRole('/categorias')), (c) => renderCategoriesPage(c, options));
  app.get('/satisfacao', requireRole(pageRole('/satisfacao')), (c) => renderSatisfactionPage(c, options));
  app.route('/satisfacao/followups', createFollowUpFormRoutes(options));
  app.route('/relatorios', createReportArchiveRoutes(options));
  app.get('/admin', requireRole(pageRole('/admin')), (c) => renderAdminPage(c, options));
  return app;
}
