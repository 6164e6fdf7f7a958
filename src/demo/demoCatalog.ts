/**
 * The fixed word lists the demo company is made of: its analysts, the parts its clients' names
 * are built from, and the people who open tickets. Plain data, so the demo reads like a real
 * helpdesk in the west of Santa Catarina (the default policy's calendar).
 */

/** The support team. The first is the demo analyst (DEMO_USERS), so "my tickets" has tickets. */
export const ANALYST_NAMES = [
  'Ana Beatriz Souza',
  'Bruno Henrique Lima',
  'Camila Ferreira',
  'Diego Martins',
  'Eduarda Rocha',
  'Felipe Carvalho',
  'Gabriela Almeida',
  'Gustavo Ribeiro',
  'Isabela Costa',
  'João Pedro Oliveira',
  'Juliana Pereira',
  'Leonardo Gomes',
  'Larissa Barbosa',
  'Marcelo Teixeira',
  'Mariana Dias',
  'Matheus Cardoso',
  'Patrícia Mendes',
  'Rafael Nunes',
  'Thiago Moreira',
  'Vanessa Castro',
] as const;

/**
 * Kinds of business. `after`: the kind may follow the family name ("Zanella Transportes");
 * `plain`: no company-type suffix (a cooperative or a school is not a "Ltda").
 */
export const CLIENT_KINDS: readonly { kind: string; after?: boolean; plain?: boolean }[] = [
  { kind: 'Agroindustrial', after: true },
  { kind: 'Transportes', after: true },
  { kind: 'Metalúrgica' },
  { kind: 'Cooperativa Agrícola', plain: true },
  { kind: 'Supermercados' },
  { kind: 'Clínica' },
  { kind: 'Construtora' },
  { kind: 'Móveis', after: true },
  { kind: 'Laticínios' },
  { kind: 'Distribuidora' },
  { kind: 'Contabilidade', after: true },
  { kind: 'Auto Peças', after: true },
  { kind: 'Farmácias' },
  { kind: 'Hotel', plain: true },
  { kind: 'Advocacia', after: true, plain: true },
  { kind: 'Indústria de Plásticos' },
  { kind: 'Frigorífico' },
  { kind: 'Colégio', plain: true },
  { kind: 'Materiais de Construção', after: true },
  { kind: 'Engenharia', after: true },
];

/** Family names and places that Brazilian companies are named after. */
export const CLIENT_NAMES = [
  'Bortolini', 'Zanella', 'Dal Pizzol', 'Oeste', 'Serra Verde', 'Vale do Uruguai', 'Fronteira', 'Bom Jesus',
  'Ghisleni', 'Tessaro', 'Lunardi', 'Scapini', 'Pagliosa', 'Bertoldi', 'Chapecó', 'Xanxerê', 'Concórdia',
  'Santa Rita', 'São Cristóvão', 'Três Pinheiros', 'Alvorada', 'Horizonte', 'Marafon', 'Tozzo', 'Zanatta',
  'Rigon', 'Menegatti', 'Fiorentin', 'Pasqualotto', 'Bellaver', 'Sartori', 'Gaboardi', 'Piovesan', 'Colombo',
  'Nova Itaberaba', 'Planalto', 'Araucária', 'Bela Vista', 'Primavera', 'Cordilheira', 'Guatambu', 'Lageado',
  'Mondaí', 'Pinhalzinho', 'Sul Brasil', 'Irani', 'Goio-Ên', 'Palmitos',
] as const;

export const CLIENT_SUFFIXES = ['Ltda', 'Ltda', 'Ltda', 'S.A.', 'ME', 'EPP'] as const;

export const FIRST_NAMES = [
  'Adriana', 'Alexandre', 'Aline', 'André', 'Carla', 'Carlos', 'Cristiane', 'Daniel', 'Débora', 'Eduardo',
  'Elaine', 'Fábio', 'Fernanda', 'Gilmar', 'Helena', 'Jaqueline', 'Jorge', 'Josiane', 'Leandro', 'Luciana',
  'Luiz', 'Márcia', 'Marcos', 'Neusa', 'Paulo', 'Priscila', 'Renata', 'Ricardo', 'Rosângela', 'Sandra',
  'Sérgio', 'Simone', 'Tatiane', 'Valdir', 'Vera', 'Vinícius',
] as const;

export const LAST_NAMES = [
  'Silva', 'Santos', 'Oliveira', 'Souza', 'Pereira', 'Lima', 'Ferreira', 'Rodrigues', 'Almeida', 'Costa',
  'Gomes', 'Martins', 'Araújo', 'Ribeiro', 'Schmitt', 'Kuhn', 'Fuhrmann', 'Rossi', 'Bianchi', 'Dalla Costa',
] as const;

/** ASCII, lower case, no spaces: "Dal Pizzol" → "dalpizzol" (e-mail addresses and domains). */
export function slugOf(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}
