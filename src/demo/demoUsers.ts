import type { Role } from '../access/roles.js';
import { ANALYST_NAMES } from './demoCatalog.js';

export interface DemoUser {
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** The demo's one password, printed by `npm start`: a demo database holds no real data. */
export const DEMO_PASSWORD = 'prazo-demo-2026';

/**
 * One login per role for the demo database. The analyst is one of the demo's analysts (the first
 * in ANALYST_NAMES), so her "my tickets" views have tickets, some at risk.
 */
export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  { email: 'ana.analista@demo.prazo', name: ANALYST_NAMES[0], role: 'analyst', password: DEMO_PASSWORD },
  { email: 'lucas.lider@demo.prazo', name: 'Lucas Andrade', role: 'lead', password: DEMO_PASSWORD },
  { email: 'diana.diretoria@demo.prazo', name: 'Diana Fontana', role: 'leadership', password: DEMO_PASSWORD },
  { email: 'artur.admin@demo.prazo', name: 'Artur Lemos', role: 'admin', password: DEMO_PASSWORD },
]);
