import { ANALYST_NAMES, CLIENT_KINDS, CLIENT_NAMES, CLIENT_SUFFIXES, FIRST_NAMES, LAST_NAMES, slugOf } from './demoCatalog.js';
import { Random, WeightedTable } from './Random.js';

export interface Analyst {
  name: string;
  firstName: string;
  /** Multiplies how long their work takes (below 1 is faster). */
  speed: number;
  /** Share of the tickets they pick up, relative to the others. */
  weight: number;
  /** Takes urgente and alta tickets outside business hours. */
  onCall: boolean;
  /** Days (from the start of the demo year) they work: [from, to), minus two weeks of vacation. */
  from: number;
  to: number;
  vacation: number;
}

export type Channel = 'email' | 'telefone' | 'portal' | 'whatsapp';

export interface Client {
  name: string;
  requesters: string[];
  /** Share of the tickets (a few large clients open most of them). */
  weight: number;
  /** Contracted Serviço Rápido rate, R$ per hour. */
  hourlyRate: number;
  /** Their portal asks for gravidade, urgência and tendência. */
  recordsGut: boolean;
  /** Multiplies how long they take to answer (above 1 is slower). */
  slowness: number;
  /** Multiplies their chance of an insatisfeito. */
  grumpiness: number;
  channels: WeightedTable<Channel>;
  /** The analyst who usually looks after them (index in the analysts). */
  owner: number;
}

export interface DemoCast {
  analysts: Analyst[];
  clients: Client[];
  clientTable: WeightedTable<Client>;
}

export const DEMO_CLIENT_COUNT = 150;

/** The support team and its customers, drawn from the seed: the same seed, the same people. */
export function createDemoCast(seed: number, days: number): DemoCast {
  const random = new Random(seed ^ 0x5eed);
  const analysts = ANALYST_NAMES.map((name, i): Analyst => {
    // Two analysts joined during the year and one left, as teams do; the demo analyst (0) stays.
    const from = i === 18 ? Math.round(days * 0.3) : i === 19 ? Math.round(days * 0.55) : 0;
    const to = i === 11 ? Math.round(days * 0.85) : days + 1;
    const speed = random.between(0.75, 1.35);
    const weight = random.between(0.75, 1.25);
    return {
      name,
      firstName: name.split(' ')[0]!,
      // The demo analyst is busy and not the fastest, so her queue has tickets at risk to show.
      speed: i === 0 ? 1.25 : speed,
      weight: i === 0 ? 1.3 : weight,
      onCall: i % 4 === 1 || i === 0,
      from,
      to,
      vacation: random.int(from + 20, Math.max(from + 21, Math.min(to, days) - 30)),
    };
  });
  const clients = createClients(random, analysts.length);
  return { analysts, clients, clientTable: new WeightedTable(clients, clients.map((c) => c.weight)) };
}

function createClients(random: Random, analystCount: number): Client[] {
  const names = new Set<string>();
  const clients: Client[] = [];
  while (clients.length < DEMO_CLIENT_COUNT) {
    const { kind, after, plain } = random.pick(CLIENT_KINDS);
    const family = random.pick(CLIENT_NAMES);
    const suffix = random.pick(CLIENT_SUFFIXES);
    const base = after && random.chance(0.6) ? `${family} ${kind}` : `${kind} ${family}`;
    const name = plain ? base : `${base} ${suffix}`;
    if (names.has(`${kind}|${family}`)) continue;
    names.add(`${kind}|${family}`);
    const rank = clients.length + 1;
    // Zipf-like sizes: the largest client opens about eight times what the median one does.
    const weight = 1 / rank ** 0.6;
    const domain = `${slugOf(family)}${slugOf(kind.split(' ')[0]!)}.com.br`;
    const people = Math.min(12, 2 + Math.round(random.between(0, 3) + 40 * weight));
    const requesters = Array.from({ length: people }, () => `${slugOf(random.pick(FIRST_NAMES))}.${slugOf(random.pick(LAST_NAMES))}@${domain}`);
    const phone = random.between(0.5, 2);
    clients.push({
      name,
      requesters: [...new Set(requesters)],
      weight,
      hourlyRate: 150 + 10 * random.int(0, 10),
      recordsGut: random.chance(0.35),
      slowness: random.logNormal(1, 0.45),
      grumpiness: random.logNormal(1, 0.5),
      channels: new WeightedTable<Channel>(['email', 'telefone', 'portal', 'whatsapp'], [4, 1.8 * phone, 3, 1.2 * phone]),
      owner: random.int(0, analystCount - 1),
    });
  }
  return clients;
}
