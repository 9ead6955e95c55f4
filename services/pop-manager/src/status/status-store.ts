import { encodeChange, type RedisKeys } from '@pa-connector/redis-contracts';
import type Redis from 'ioredis';
import type { PopManagerStatus } from './pop-status';

/** Stores the latest POP status under `popStatus()` and announces it on `pop-status`. */
export async function storeStatus(
  redis: Pick<Redis, 'multi'>,
  keys: RedisKeys,
  status: PopManagerStatus,
): Promise<void> {
  const replies = await redis
    .multi()
    .set(keys.popStatus(), JSON.stringify(status))
    .publish(
      keys.channel('pop-status'),
      encodeChange({ topic: 'pop-status', at: status.reportedAt }),
    )
    .exec();
  const failed = replies?.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}
