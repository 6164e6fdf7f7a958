import type { IngestProgress } from '../ingest/ingestFile.js';

const fmt = new Intl.NumberFormat('pt-BR');

/**
 * Progress of a long import on stderr: a redrawn bar on a terminal, a plain line every few
 * seconds otherwise (logs, CI), so stdout stays one JSON line for scripts.
 */
export function createProgressReporter(
  stream: NodeJS.WriteStream = process.stderr,
  intervalMs = Number(process.env.PRAZO_PROGRESS_INTERVAL_MS ?? 2000),
) {
  const tty = Boolean(stream.isTTY);
  let last = 0;
  let drawn = false;
  return {
    update(p: IngestProgress, force = false) {
      const now = Date.now();
      if (!force && now - last < (tty ? 100 : intervalMs)) return;
      last = now;
      const pct = p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : undefined;
      const counts = `${fmt.format(p.counts.read)} lidos · ${fmt.format(p.counts.accepted)} novos · ${fmt.format(p.counts.duplicates)} repetidos · ${fmt.format(p.counts.rejected)} rejeitados`;
      if (tty) {
        const width = 24;
        const bar =
          pct === undefined ? '' : `[${'#'.repeat(Math.round((pct / 100) * width))}${'-'.repeat(width - Math.round((pct / 100) * width))}] ${String(pct).padStart(3)}% `;
        stream.write(`\r\x1b[K${bar}${counts}`);
        drawn = true;
      } else {
        stream.write(`${p.file}: ${pct === undefined ? '' : `${pct}% — `}${counts}\n`);
      }
    },
    done() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
