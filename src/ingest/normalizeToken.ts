/**
 * A value written by people or other helpdesks, reduced to Prazo's spelling: accents removed,
 * lower case, spaces and hyphens as underscores (`Média` → `media`, `Em atendimento` →
 * `em_atendimento`, `Dúvida Explícita` → `duvida_explicita`).
 */
export function normalizeToken(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}
