import { type RegisterRequest, SseErrorCode } from '@pa-connector/sse-api';
import { popOfGateway } from '../config/pop-hostnames';
import type { RegionConfig } from '../config/regions';
import { EmulatorError } from '../errors';

/**
 * The PoP a registration is for: the one the named gateway belongs to (by hostname or gateway
 * address; it wins over `region`), else the region asked for, else the group's.
 */
export function chooseRegion(
  regions: ReadonlyMap<string, RegionConfig>,
  req: Pick<RegisterRequest, 'gateway' | 'region'>,
  groupRegion: string,
): RegionConfig {
  if (req.gateway !== undefined) {
    const pop = popOfGateway(regions.values(), req.gateway);
    if (!pop) {
      throw new EmulatorError(
        SseErrorCode.unknownGateway,
        `no PoP has the gateway "${req.gateway}" (known: ${knownGateways(regions).join(', ')})`,
      );
    }
    return pop;
  }
  const regionName = req.region ?? groupRegion;
  const region = regions.get(regionName);
  if (!region) {
    throw new EmulatorError(
      SseErrorCode.unknownRegion,
      `region "${regionName}" does not exist (${[...regions.keys()].join(', ')})`,
    );
  }
  return region;
}

/** What a gateway may be named by: PoP hostnames, then gateway hosts. */
function knownGateways(regions: ReadonlyMap<string, RegionConfig>): string[] {
  const names = [...regions.values()].flatMap((r) => [
    ...(r.hostnames ?? []),
    ...r.gateways.map((g) => g.host),
  ]);
  return [...new Set(names)];
}
