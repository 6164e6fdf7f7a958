/**
 * Run by browserOrphan.test.ts in its own process: launches the renderer's Chromium (the print is
 * refused, about:blank is no report), prints the browser's pid and waits to be killed.
 */
import { createPdfRenderer } from '../../src/reports/createPdfRenderer.js';

const renderer = createPdfRenderer();
await renderer.renderPdf('about:blank', { marker: 'weekly-report', headerTemplate: '', footerTemplate: '', timeoutMs: 5_000 }).catch(() => undefined);
process.stdout.write(`${renderer.browserPid()}\n`);
setInterval(() => {}, 60_000);
