import type { Random } from './Random.js';

/** What the customer lived through, which colours what they write. */
export interface CommentContext {
  /** First name of the analyst who solved the ticket. */
  analyst: string;
  breached: boolean;
  rejected: boolean;
  autoClosed: boolean;
  category: string;
}

export type Rating = 'satisfeito' | 'neutro' | 'insatisfeito';

const SATISFIED = [
  'Atendimento rápido e muito atencioso, obrigado!',
  'Resolveram em poucos minutos, excelente.',
  '{a} explicou tudo com muita paciência.',
  'Excelente suporte, como sempre.',
  'Problema resolvido na primeira tentativa.',
  'Muito bom, o sistema voltou antes do fechamento do caixa.',
  'Gostei do retorno por WhatsApp, bem prático.',
  'Parabéns à equipe, em especial a {a}.',
  'Ótimo atendimento.',
  'Rápido e eficiente.',
  'Resolvido, obrigado pelo acompanhamento.',
  'Atendimento nota 10!',
  'Agradeço a agilidade, conseguimos emitir as notas a tempo.',
  'Sempre muito bem atendidos por vocês.',
  'A orientação foi clara e agora consigo fazer sozinho.',
];

const SATISFIED_AFTER_TROUBLE = [
  'Demorou um pouco, mas {a} resolveu de vez.',
  'No fim deu tudo certo, obrigado pela persistência.',
];

const NEUTRAL = [
  'Resolveu, mas demorou para retornarem.',
  'Atendimento ok.',
  'Tive que explicar o problema duas vezes.',
  'Foi resolvido, mas a comunicação poderia ser melhor.',
  'Razoável. Esperava uma solução mais rápida.',
  'O problema foi contornado, não sei se foi resolvido de verdade.',
  'Atendimento cordial, mas precisei ligar para cobrar.',
  'Funcionou, mas ninguém avisou quando terminou.',
];

const DISSATISFIED = [
  'Demoraram dois dias para responder um chamado simples.',
  'O problema voltou no dia seguinte.',
  'Ninguém retornou a ligação.',
  'Tive que abrir outro chamado para o mesmo problema.',
  'Atendimento muito lento, a empresa ficou parada a manhã inteira.',
  'Passaram o chamado de um para outro e ninguém resolveu.',
  'Pedimos prioridade e fomos ignorados.',
  'A solução proposta não funcionou.',
  'Péssimo. Esperamos horas sem nenhuma resposta.',
  'Cobraram um serviço que deveria estar no contrato.',
];

const DISSATISFIED_AUTO = [
  'O chamado foi encerrado automaticamente e o problema continua.',
  'Fecharam o chamado sem confirmar comigo.',
  'Encerraram sem falar comigo, eu estava de férias.',
];

const DISSATISFIED_REJECTED = [
  'Marcaram como resolvido duas vezes e não estava resolvido.',
  'Tive que reprovar a solução, o erro continuava.',
];

const DISSATISFIED_LATE = ['Prazo de atendimento não foi cumprido.', 'Muito tempo para resolver algo urgente.'];

/** How often a customer who answers also writes something. */
const COMMENT_RATE: Record<Rating, number> = { satisfeito: 0.45, neutro: 0.6, insatisfeito: 0.85 };

/** A comment in pt-BR fitting the rating and the ticket's story, or undefined (most leave none). */
export function writeSurveyComment(random: Random, rating: Rating, context: CommentContext): string | undefined {
  if (!random.chance(COMMENT_RATE[rating])) return undefined;
  const pool = poolFor(random, rating, context);
  return random.pick(pool).replaceAll('{a}', context.analyst);
}

function poolFor(random: Random, rating: Rating, c: CommentContext): readonly string[] {
  if (rating === 'satisfeito') return (c.breached || c.rejected) && random.chance(0.5) ? SATISFIED_AFTER_TROUBLE : SATISFIED;
  if (rating === 'neutro') return NEUTRAL;
  if (c.autoClosed && random.chance(0.6)) return DISSATISFIED_AUTO;
  if (c.rejected && random.chance(0.6)) return DISSATISFIED_REJECTED;
  if (c.breached && random.chance(0.4)) return DISSATISFIED_LATE;
  return DISSATISFIED;
}

/**
 * The rating a customer gives: mostly satisfeito, worse after a breach, a rejected solution or an
 * automatic close, and worse with customers who are hard to please (`grumpiness` around 1).
 */
export function drawRating(random: Random, c: Omit<CommentContext, 'analyst' | 'category'>, grumpiness: number): Rating {
  const insatisfeito = 0.045 * grumpiness + (c.breached ? 0.16 : 0) + (c.rejected ? 0.12 : 0) + (c.autoClosed ? 0.04 : 0);
  const neutro = 0.11 + (c.breached ? 0.1 : 0) + (c.autoClosed ? 0.04 : 0);
  const r = random.float();
  if (r < insatisfeito) return 'insatisfeito';
  if (r < insatisfeito + neutro) return 'neutro';
  return 'satisfeito';
}
