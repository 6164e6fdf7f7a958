/** What the server, the CLI and `prazo serve` use of src/reports. */
export { createReportPrintRoutes, type ReportPolicy } from './createReportPrintRoutes.js';
export { createWeeklyReportService, startLoopbackServer, type WeeklyReportService } from './createWeeklyReportService.js';
export { createOutbox, listDeliveries, type Delivery, type Outbox } from './createOutbox.js';
export { createPdfRenderer, PrintRefusedError, type PdfRenderer } from './createPdfRenderer.js';
export { startReportScheduler, type ReportScheduler } from './startReportScheduler.js';
export { startReportService, type RunningReportService } from './startReportService.js';
export { parseReportConfig, type ReportConfig } from './parseReportConfig.js';
export { addRecipient, listRecipients, removeRecipient, type Recipient } from './recipients.js';
export { listArchivedReports, readArchivedReport } from './readArchivedReport.js';
export { getReport, listReports, type ReportRow } from './reportStore.js';
export { getPreviousWeek, parseReportWeek, type ReportWeek } from './reportWeek.js';
