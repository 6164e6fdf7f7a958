/** pt-BR text for what the report shows. */

const percent1 = new Intl.NumberFormat('pt-BR', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 0 });
const decimal1 = new Intl.NumberFormat('pt-BR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const currency = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });
const NONE = '—';

export const formatPercent = (value: number | null | undefined) => (value == null ? NONE : percent1.format(value));
export const formatCount = (value: number | null | undefined) => (value == null ? NONE : integer.format(value));
export const formatHours = (value: number | null | undefined) => (value == null ? NONE : `${decimal1.format(value)} h`);
export const formatCurrency = (value: number | null | undefined) => (value == null ? NONE : currency.format(value));

/** Change in percentage points: "+2,5 p.p.", "−1,0 p.p.", "—" when either side is missing. */
export function formatPointChange(now: number | null, before: number | null): string {
  if (now == null || before == null) return NONE;
  const points = (now - before) * 100;
  const sign = points > 0.05 ? '+' : points < -0.05 ? '−' : '';
  return `${sign}${decimal1.format(Math.abs(points))} p.p.`;
}

/** Business seconds as "30 min", "4 h", "1 h 30 min", "26 h" (hours of the severity's calendar, never days). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return NONE;
  const minutes = Math.round(Math.abs(seconds) / 60);
  const hours = Math.floor(minutes / 60);
  const mins = minutes % 60;
  const parts = [hours ? `${integer.format(hours)} h` : '', mins ? `${mins} min` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : '0 min';
}

/** "23/11/2026 07:00" in the zone given. */
export function formatDateTime(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('pt-BR', { timeZone: zone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' })
    .format(ms)
    .replace(',', '');
}

/** "2026-11-16" → "16/11/2026". */
export const formatDay = (isoDay: string) => isoDay.split('-').reverse().join('/');

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const CATEGORY_LABELS: Record<string, string> = {
  analise_de_ambiente: 'Análise de ambiente',
  cortesia: 'Cortesia',
  duvida_explicita: 'Dúvida explícita',
  duvida_tacita: 'Dúvida tácita',
  erro: 'Erro',
  exigencia_legal: 'Exigência legal',
  falta_de_retorno: 'Falta de retorno',
  incidente: 'Incidente',
  outras_ferramentas: 'Outras ferramentas',
  servicos: 'Serviços',
  sistemas_terceiros: 'Sistemas de terceiros',
  sugestao: 'Sugestão',
  null: 'Sem categoria',
};

export const FOLLOW_UP_LABELS: Record<string, string> = { open: 'em aberto', claimed: 'assumidos', contacted: 'contatados', closed: 'encerrados' };

export const categoryLabel = (code: string) => CATEGORY_LABELS[code] ?? code;
