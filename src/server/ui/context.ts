// What the page builders read from: the repository (git + index) through UiReader, its history,
// the pending changes, the apt front's verified view and suites, and the roles' expiry. All read-only.
import type { AptFront } from '../../repository/apt/apt-front';
import type { ChangeService } from '../../repository/changes';
import type { Renewals } from '../../repository/renewals';
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
  /** each role's expiry and the renewal changes that renew them */
  expiry: Renewals;
}

export function uiContext(home: Home, changes: ChangeService, apt: AptFront, serving: AptServing, expiry: Renewals): UiContext {
  return { reader: new UiReader(home), history: new HistoryReader(home.store), changes, pending: new PendingReader(home.store, changes), apt, packages: new PackagesReader(serving), expiry };
}
