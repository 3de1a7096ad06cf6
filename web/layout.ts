/** The frame of every page: head, the signed-in person, the role's menu, the main content. */
import type { Role } from '../domain/roles.ts';
import { ROLE_LABEL } from '../domain/roles.ts';
import type { SessionAccount } from '../db/repositories/sessions.ts';
import type { Assets } from './assets.ts';
import { html, type SafeHtml } from './html.ts';
import { CSRF_FIELD } from './session.ts';

export interface NavItem {
  role: Role;
  href: string;
  label: string;
}

export const HOME: Record<Role, string> = {
  reseller: '/revendeur',
  bank: '/banque',
  creator: '/createur',
  archivist: '/archiviste',
  admin: '/admin',
};

export const NAV: NavItem[] = [
  { role: 'reseller', href: '/revendeur', label: 'Mes dossiers' },
  { role: 'reseller', href: '/revendeur/nouveau', label: 'Nouveau dossier' },
  { role: 'bank', href: '/banque', label: 'À décider' },
  { role: 'bank', href: '/banque/dossiers', label: 'Tous les dossiers' },
  { role: 'bank', href: '/banque/defaut', label: 'Décidés par défaut' },
  { role: 'bank', href: '/barometres', label: 'Baromètres' },
  { role: 'creator', href: '/createur', label: 'Mes financements' },
  { role: 'archivist', href: '/archiviste', label: 'Vérifier un PDF' },
  { role: 'archivist', href: '/archiviste/coffre', label: 'Coffre-fort' },
  { role: 'archivist', href: '/archiviste/coffre/audit', label: 'Audit' },
  { role: 'admin', href: '/admin', label: 'Comptes' },
  { role: 'admin', href: '/barometres', label: 'Baromètres' },
];

export interface PageInput {
  title: string;
  body: SafeHtml;
  /** The signed-in person; null on the sign-in page and the error pages of visitors. */
  account: SessionAccount | null;
  csrfToken?: string;
  /** The current path, to mark the menu entry. */
  path?: string;
  /** Browser modules of web/client/ this page runs ('dossier-form.js'). */
  scripts?: string[];
  nav?: NavItem[];
}

export function renderPage(assets: Assets, page: PageInput): string {
  const nav = (page.nav ?? NAV).filter((item) => page.account && item.role === page.account.role);
  const scripts = ['page.js', ...(page.scripts ?? [])];
  return html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} — Passeport</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets.url('site.css')}">
${page.csrfToken ? html`<meta name="csrf-token" content="${page.csrfToken}">` : ''}
${scripts.map((s) => html`<script type="module" src="${assets.url(s)}"></script>`)}
</head>
<body>
<a class="skip" href="#contenu">Aller au contenu</a>
<header class="top">
  <p class="brand"><a href="/">Passeport <span>pour l’Économie Numérique</span></a></p>
  ${
    page.account
      ? html`<div class="who">
    <p><strong>${page.account.displayName}</strong><br>${ROLE_LABEL[page.account.role]} · ${page.account.organisationName}</p>
    <form method="post" action="/deconnexion"><input type="hidden" name="${CSRF_FIELD}" value="${page.csrfToken ?? ''}"><button type="submit" class="link">Se déconnecter</button></form>
  </div>`
      : ''
  }
</header>
${
  nav.length > 0
    ? html`<nav class="menu" aria-label="Menu principal"><ul>${nav.map(
        (item) => html`<li><a href="${item.href}"${item.href === page.path ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
      )}</ul></nav>`
    : ''
}
<main id="contenu">
${page.body}
</main>
<footer class="foot"><p>Passeport pour l’Économie Numérique — financement des équipements numériques des jeunes entreprises.</p></footer>
</body>
</html>`.value;
}
