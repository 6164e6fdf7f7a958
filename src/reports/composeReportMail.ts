import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { WeeklySummary } from './getWeeklySummary.js';
import { escapeHtml, formatCount, formatDay, formatPercent } from './formatPtBr.js';
import type { ReportRow } from './reportStore.js';
import { parseReportWeek } from './reportWeek.js';

export interface ReportMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

/**
 * The Message-ID of the report's mail to `recipient`: fixed per (report, recipient), so a mail
 * sent again after a crash carries the same id and mail systems can recognise the duplicate.
 */
export function getDeliveryMessageId(reportId: number, recipient: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'prazo.local';
  const hash = createHash('sha256').update(`${reportId}\n${recipient}`).digest('hex').slice(0, 20);
  return `<prazo-report-${reportId}-${hash}@${domain}>`;
}

/** The mail in pt-BR: a short summary in the body and the archived PDF attached as it is. */
export function composeReportMail(report: ReportRow, summary: WeeklySummary, to: string, from: string, company: string): ReportMail {
  // The same Monday and Sunday as the PDF's header (renderPrintTemplates).
  const week = parseReportWeek(report.period);
  const first = formatDay(week.firstDay);
  const last = formatDay(week.lastDay);
  const lines = [
    `1ª resposta no prazo: ${formatPercent(summary.responseCompliance)}`,
    `Solução no prazo: ${formatPercent(summary.solutionCompliance)}`,
    `Violações de SLA: ${formatCount(summary.breaches)}`,
    `Chamados em aberto no fim da semana: ${formatCount(summary.backlog)}`,
  ];
  const intro = `Segue em anexo o relatório semanal de SLA de ${company}, semana ${report.period} (${first} a ${last}), com ${report.pages} ${report.pages === 1 ? 'página' : 'páginas'}.`;
  const text = `Olá,\n\n${intro}\n\nResumo da semana:\n${lines.map((l) => `- ${l}`).join('\n')}\n\nMensagem automática do Prazo.\n`;
  const html = `<p>Olá,</p><p>${escapeHtml(intro)}</p><p>Resumo da semana:</p><ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul><p>Mensagem automática do Prazo.</p>`;
  return {
    from,
    to,
    subject: `Relatório semanal de SLA — ${report.period} (${first} a ${last})`,
    text,
    html,
    messageId: getDeliveryMessageId(report.id, to, from),
    attachments: [{ filename: basename(report.path).replace(/-[0-9a-f]{12}\.pdf$/, '.pdf'), content: readFileSync(report.path), contentType: 'application/pdf' }],
  };
}
