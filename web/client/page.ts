/**
 * Every page: keeps the « 3 h 20 restantes » of the 24-hour clocks current
 * without reloading (the server wrote them; this only refreshes the words).
 */
import { timeLeft } from '../format.ts';

function refreshClocks(): void {
  const now = new Date();
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-deadline]'))) {
    const left = timeLeft(el.dataset.deadline ?? '', now);
    if (el.textContent !== left.text) el.textContent = left.text;
    el.classList.toggle('late', left.overdue);
  }
}

if (document.querySelector('[data-deadline]')) setInterval(refreshClocks, 30_000);
