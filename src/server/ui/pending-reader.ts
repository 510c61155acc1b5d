// Pending changes for the pages, through ChangeService.list(), cached until main or any change
// branch moves: the list re-reads the current state, which with 10,000 projects means parsing a
// large targets file, so it is not redone for every page view.
import type { ChangeService, PendingSummary } from '../../repository/changes';
import { MAIN_BRANCH } from '../../repository/layout';
import { CHANGE_BRANCH_PREFIX } from '../../repository/pending';
import type { MetadataStore } from '../../repository/ports';

export class PendingReader {
  private cache: { key: string; value: Promise<PendingSummary[]> } | undefined;

  constructor(
    private readonly store: MetadataStore,
    private readonly changes: ChangeService,
  ) {}

  async list(): Promise<PendingSummary[]> {
    const branches = (await this.store.listBranches()).filter((b) => b.startsWith(CHANGE_BRANCH_PREFIX)).sort();
    if (branches.length === 0) return [];
    const refs = [MAIN_BRANCH, ...branches];
    const heads = await Promise.all(refs.map((b) => this.store.head(b)));
    const key = refs.map((b, i) => `${b}=${heads[i]}`).join(' ');
    if (this.cache?.key !== key) {
      const entry = { key, value: this.changes.list() };
      this.cache = entry;
      entry.value.catch(() => {
        if (this.cache === entry) this.cache = undefined;
      });
    }
    return this.cache.value;
  }
}
