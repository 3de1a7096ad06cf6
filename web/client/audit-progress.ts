/**
 * The audit page while an audit runs: asks the API where it stands every
 * second and moves the progress bar; reloads the page when it is over, so the
 * server shows the report.
 */
const box = document.querySelector<HTMLElement>('[data-audit-run]');
const PHASES: Record<string, string> = { objets: 'relecture des objets', journal: 'chaîne du journal', sceaux: 'sceaux', signatures: 'signatures' };

interface Run {
  status: string;
  progress: { phase: string; done: number; total: number } | null;
}

async function poll(id: string): Promise<void> {
  const response = await fetch(`/v1/vault/audits/${id}`, { credentials: 'same-origin', headers: { accept: 'application/json' } }).catch(() => null);
  if (!response?.ok) return void setTimeout(() => void poll(id), 3000);
  const run = (await response.json()) as Run;
  if (run.status !== 'running') return window.location.reload();
  const p = run.progress;
  if (p) {
    const bar = box?.querySelector('progress');
    if (bar) bar.value = p.total > 0 ? Math.round((p.done / p.total) * 100) : 0;
    const phase = box?.querySelector('[data-audit-phase]');
    if (phase) phase.textContent = PHASES[p.phase] ?? p.phase;
    const counts = box?.querySelector('[data-audit-counts]');
    if (counts) counts.textContent = `${p.done} sur ${p.total}`;
  }
  setTimeout(() => void poll(id), 1000);
}

if (box?.dataset.auditRun) void poll(box.dataset.auditRun);
