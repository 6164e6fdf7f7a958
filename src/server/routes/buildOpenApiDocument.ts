import type { Role } from '../../access/roles.js';
import { listMetrics } from '../../metrics/registry/metrics.js';
import { DIMENSIONS } from '../../metrics/registry/types.js';
import { FILTER_DIMENSIONS } from './readPeriod.js';
import { MAX_TICKETS, TICKET_STATES } from './listOpenTickets.js';

const VERSION = '0.1.0';

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const ERRORS = {
  '401': error('Sem sessão nem token pessoal válido / not signed in'),
  '403': error('O perfil não pode ler isto / the role may not read this'),
};
const query = (name: string, schema: object, description: string, required = false) => ({ name, in: 'query', required, description, schema });
const path = (name: string, schema: object, description: string) => ({ name, in: 'path', required: true, description, schema });
const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });

/**
 * The OpenAPI 3.1 description of every route the server answers: /api/v1 (metrics with their
 * names as an enum, tickets, follow-ups, events), /healthz and /metrics. Built from the registry,
 * so a new metric appears without editing this file. The enum lists the metrics `role` may read.
 */
export function buildOpenApiDocument(role: Role): Record<string, unknown> {
  const metricNames = listMetrics(role).map((m) => m.name);
  const period = [
    query('from', { type: 'string' }, 'Início inclusivo: AAAA-MM-DD (meia-noite em São Paulo) ou instante ISO-8601 com fuso. Padrão: 28 dias atrás.'),
    query('to', { type: 'string' }, 'Fim exclusivo, mesmo formato. Padrão: amanhã (São Paulo).'),
  ];
  return {
    openapi: '3.1.0',
    info: { title: 'Prazo API', version: VERSION, description: 'SLA analytics: métricas, chamados e fila de acompanhamento. Erros: {"error":{"code","message"}}.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      '/api/v1/metrics': {
        get: { summary: 'Métricas que o perfil pode ler', responses: { '200': json({ type: 'object', properties: { metrics: { type: 'array', items: { $ref: '#/components/schemas/MetricInfo' } } } }), ...ERRORS } },
      },
      '/api/v1/metrics/{name}': {
        get: {
          summary: 'Uma métrica por nome, em JSON, CSV ou Arrow IPC',
          parameters: [
            path('name', { type: 'string', enum: metricNames }, 'Nome da métrica'),
            ...period,
            query('by', { type: 'string' }, `Dimensões separadas por vírgula: ${DIMENSIONS.join(', ')} (no máximo uma de tempo)`),
            ...FILTER_DIMENSIONS.map((d) => query(d, { type: 'string' }, `Filtro de igualdade em ${d}`)),
            query('format', { type: 'string', enum: ['json', 'csv', 'arrow'], default: 'json' }, 'csv: vírgula, ponto decimal, cabeçalho; arrow: stream IPC'),
          ],
          responses: {
            '200': {
              description: 'O resultado',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/MetricResult' } },
                'text/csv': { schema: { type: 'string' } },
                'application/vnd.apache.arrow.stream': { schema: { type: 'string', format: 'binary' } },
              },
            },
            '400': error('Período, dimensão, filtro ou formato inválido'),
            '404': error('Métrica desconhecida'),
            ...ERRORS,
          },
        },
      },
      '/api/v1/tickets': {
        get: {
          summary: 'Chamados abertos, do menor tempo restante ao maior',
          parameters: [
            query('state', { type: 'string', enum: [...TICKET_STATES] }, 'Estado do prazo'),
            query('analyst', { type: 'string' }, 'Analista'),
            query('severity', { type: 'string' }, 'Severidade'),
            query('client', { type: 'string' }, 'Cliente'),
            query('limit', { type: 'integer', minimum: 1, maximum: MAX_TICKETS, default: 100 }, 'Máximo de chamados'),
          ],
          responses: { '200': json({ type: 'object', properties: { tickets: { type: 'array', items: { type: 'object' } } } }), '400': error('Parâmetro inválido'), ...ERRORS },
        },
      },
      '/api/v1/tickets/{id}': {
        get: {
          summary: 'Um chamado explicado: a linha de ticket_sla, a linha do tempo e os eventos',
          parameters: [path('id', { type: 'string' }, 'Chamado')],
          responses: { '200': json({ type: 'object', properties: { timeline: { type: 'array' }, events: { type: 'array' } } }), '404': error('Chamado desconhecido'), ...ERRORS },
        },
      },
      '/api/v1/followups': {
        get: {
          summary: 'Fila de acompanhamento dos insatisfeitos (lead e acima; auditado)',
          parameters: [
            query('status', { type: 'string', enum: ['open', 'claimed', 'contacted', 'closed'] }, 'Situação'),
            ...period.map((p) => ({ ...p, description: 'Data da resposta (opcional)' })),
            query('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 200 }, 'Máximo de linhas'),
            query('after', { type: 'string' }, 'O next_after da página anterior: as linhas seguintes da fila (mesmos status, from e to)'),
          ],
          responses: {
            '200': json({
              type: 'object',
              properties: {
                followups: { type: 'array' },
                next_after: { type: ['string', 'null'], description: 'O after da próxima página; null quando não há mais linhas' },
              },
            }),
            '400': error('Situação, período, limit ou after inválido'),
            ...ERRORS,
          },
        },
      },
      '/api/v1/events': {
        post: {
          summary: 'Envia eventos canônicos (NDJSON ou array JSON) com um token de origem',
          security: [{ sourceToken: [] }],
          requestBody: { content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'array', items: { type: 'object' } } } } },
          responses: {
            '202': json(
              {
                type: 'object',
                properties: {
                  accepted: { type: 'integer', description: 'Eventos novos guardados' },
                  duplicates: { type: 'integer', description: 'Eventos cujo (origem, id) já estava guardado ou se repetia no envio' },
                  conflicts: { type: 'integer', description: 'Dos repetidos, os de chamado, instante, tipo, severidade, situação, by, analista, categoria, resposta ou cliente diferentes da cópia guardada (id reutilizado; vale a primeira)' },
                  rejected: { type: 'integer' },
                  tickets: { type: 'integer', description: 'Chamados distintos entre os eventos válidos' },
                  rejects: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, reason: { type: 'string' }, message: { type: 'string' } } } },
                },
              },
              'Aceito',
            ),
            '400': error('Corpo inválido'),
            '401': error('Token ausente ou inválido'),
            '413': error('Corpo grande demais'),
            '415': error('Content-Type não aceito'),
          },
        },
      },
      '/api/v1/openapi.json': { get: { summary: 'Este documento (métricas do perfil de quem pede)', responses: { '200': json({ type: 'object' }), ...ERRORS } } },
      '/healthz': { get: { summary: 'Saúde: banco acessível e versão', security: [], responses: { '200': json({ type: 'object' }), '503': json({ type: 'object' }, 'Banco inacessível') } } },
      '/metrics': {
        get: {
          summary: 'Métricas do servidor em formato Prometheus (loopback sem proxy, ou admin)',
          responses: { '200': { description: 'text/plain; version=0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } }, '403': error('Nem loopback nem admin') },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Token pessoal (prazo user token): age com o perfil do usuário' },
        session: { type: 'apiKey', in: 'cookie', name: 'prazo_session' },
        sourceToken: { type: 'http', scheme: 'bearer', description: 'Token de origem (prazo token create): só escreve eventos' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
        MetricInfo: {
          type: 'object',
          properties: { name: { type: 'string', enum: metricNames }, label: { type: 'object' }, format: { type: 'string' }, dimensions: { type: 'array', items: { type: 'string' } }, target: { type: 'number' } },
        },
        MetricResult: {
          type: 'object',
          properties: {
            metric: { type: 'object' },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            by: { type: 'array', items: { type: 'string', enum: [...DIMENSIONS] } },
            rows: { type: 'array', items: { type: 'object', properties: { value: { type: ['number', 'null'] } }, additionalProperties: { type: ['string', 'number', 'null'] } } },
            suppressed: { type: 'integer' },
          },
        },
      },
    },
  };
}
