// What the page builders read from: the repository (git + index) through UiReader, its history,
// the pending changes, and the apt front's verified view and suites. All read-only.
import type { AptFront } from '../../repository/apt/apt-front';
import type { ChangeService } from '../../repository/changes';
import type { AptServing } from '../apt-serving';
import type { Home } from '../home';
import { HistoryReader } from './history';
import { UiReader } from './ui-reader';
import { PackagesReader } from './packages-reader';
import { PendingReader } from './pending-reader';

export interface UiContext {
  reader: UiReader;
  history: HistoryReader;
  changes: ChangeService;
  pending: PendingReader;
  apt: AptFront;
  packages: PackagesReader;
}

export function uiContext(home: Home, changes: ChangeService, apt: AptFront, serving: AptServing): UiContext {
  return { reader: new UiReader(home), history: new HistoryReader(home.store), changes, pending: new PendingReader(home.store, changes), apt, packages: new PackagesReader(serving) };
}
