/** The baseline: the smallest workflow that still schedules one activity. */
import { proxyActivities } from '@temporalio/workflow';

export interface BareActivities {
  touch(n: number): Promise<number>;
}

const { touch } = proxyActivities<BareActivities>({ startToCloseTimeout: '5s' });

export async function bareWorkflow(n: number): Promise<number> {
  return touch(n);
}
