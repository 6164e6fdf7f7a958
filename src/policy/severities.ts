/**
 * The four severities, from the most to the least urgent. The one list the policy's `severities`,
 * imported events and the SLA fold share: a severity's code in the fold (eventKinds.ts) is its
 * index here, so the order is part of the stored meaning — append, never reorder.
 */
export const SEVERITIES = ['urgente', 'alta', 'media', 'baixa'] as const;
export type Severity = (typeof SEVERITIES)[number];
