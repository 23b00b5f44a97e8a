/** The campaign screens' own navigation, under the campaign's title: one list, the current screen marked. */
import { html, type SafeHtml } from '../web/html.js';

export type CampaignScreen = 'overview' | 'edit' | 'supporters' | 'letter' | 'replies' | 'broadcasts';

const SCREENS: ReadonlyArray<{ screen: CampaignScreen; path: string; label: string }> = [
  { screen: 'overview', path: '', label: 'Overview' },
  { screen: 'edit', path: '/edit', label: 'Edit' },
  { screen: 'supporters', path: '/supporters', label: 'Supporters' },
  { screen: 'letter', path: '/letter', label: 'Letter to the target' },
  { screen: 'replies', path: '/replies', label: 'Replies' },
  { screen: 'broadcasts', path: '/broadcasts', label: 'Broadcasts' },
];

export function campaignNav(campaignId: string, current: CampaignScreen): SafeHtml {
  return html`<nav class="campaign-nav" aria-label="Campaign">
  <ul>${SCREENS.map(
    ({ screen, path, label }) =>
      html`<li><a href="/app/campaigns/${campaignId}${path}"${screen === current ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul>
</nav>`;
}
