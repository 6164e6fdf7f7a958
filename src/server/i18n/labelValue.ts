import type { Lang } from './messages.js';

/**
 * How the pages name the values stored as codes: severities, statuses and closing categories as
 * the support guide writes them. An unknown code is shown as it is.
 */
const LABELS: Record<'severity' | 'status' | 'category', Record<string, { pt: string; en: string }>> = {
  severity: {
    urgente: { pt: 'Urgente', en: 'Urgent' },
    alta: { pt: 'Alta', en: 'High' },
    media: { pt: 'Média', en: 'Medium' },
    baixa: { pt: 'Baixa', en: 'Low' },
  },
  status: {
    novo: { pt: 'Novo', en: 'New' },
    em_atendimento: { pt: 'Em atendimento', en: 'In progress' },
    aguardando_cliente: { pt: 'Aguardando cliente', en: 'Waiting on customer' },
    resolvido: { pt: 'Resolvido', en: 'Resolved' },
    fechado: { pt: 'Fechado', en: 'Closed' },
  },
  category: {
    analise_de_ambiente: { pt: 'Análise de ambiente', en: 'Environment analysis' },
    cortesia: { pt: 'Cortesia', en: 'Courtesy' },
    duvida_explicita: { pt: 'Dúvida explícita', en: 'Explicit question' },
    duvida_tacita: { pt: 'Dúvida tácita', en: 'Tacit question' },
    erro: { pt: 'Erro', en: 'Error' },
    exigencia_legal: { pt: 'Exigência legal', en: 'Legal requirement' },
    falta_de_retorno: { pt: 'Falta de retorno', en: 'No reply' },
    incidente: { pt: 'Incidente', en: 'Incident' },
    outras_ferramentas: { pt: 'Outras ferramentas', en: 'Other tools' },
    servicos: { pt: 'Serviços', en: 'Services' },
    sistemas_terceiros: { pt: 'Sistemas de terceiros', en: 'Third-party systems' },
    sugestao: { pt: 'Sugestão', en: 'Suggestion' },
  },
};

export function labelValue(lang: Lang, kind: keyof typeof LABELS, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  return LABELS[kind][value]?.[lang] ?? value;
}

/** The codes of a kind, in the guide's order. */
export function codesOf(kind: keyof typeof LABELS): string[] {
  return Object.keys(LABELS[kind]);
}
