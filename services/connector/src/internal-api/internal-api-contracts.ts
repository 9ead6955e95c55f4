import { ERROR_RESPONSES } from '@pa-connector/service-runtime';
import {
  AcceptedResponse,
  DrainRequest,
  DrainState,
  GroupInfo,
  LogBatch,
  PopStatusReport,
  ReleaseManifest,
  UpdateSlotGrant,
  UpdateSlotReleaseRequest,
  UpdateSlotReleaseResponse,
  UpdateSlotRequest,
} from '@pa-connector/sse-api';
import { Type } from '@sinclair/typebox';

/**
 * What each route of the connector's internal API takes and answers. Bodies are the SSE's own
 * contracts (the connector forwards them); errors are `{error:{code,message}}`.
 */

/**
 * The POP status pop-manager pushes: the SSE's report, whose `reportedAt` must also be a time
 * (the SSE keeps reports in that order). Fields the SSE does not name pass through.
 */
const PopStatusBody = Type.Object(
  {
    ...PopStatusReport.properties,
    reportedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: true },
);

export const popStatusSchema = {
  body: PopStatusBody,
  response: { 202: AcceptedResponse, ...ERROR_RESPONSES },
};

export const releaseSchema = {
  response: { 200: ReleaseManifest, ...ERROR_RESPONSES },
};

export const logsSchema = {
  body: LogBatch,
  response: { 202: AcceptedResponse, ...ERROR_RESPONSES },
};

export const groupSchema = {
  response: { 200: GroupInfo, ...ERROR_RESPONSES },
};

export const updateSlotSchema = {
  body: UpdateSlotRequest,
  response: { 200: UpdateSlotGrant, ...ERROR_RESPONSES },
};

export const updateSlotReleaseSchema = {
  body: UpdateSlotReleaseRequest,
  response: { 200: UpdateSlotReleaseResponse, ...ERROR_RESPONSES },
};

export const drainStartSchema = {
  body: DrainRequest,
  response: { 202: DrainState, ...ERROR_RESPONSES },
};

export const drainStateSchema = {
  response: { 200: DrainState, ...ERROR_RESPONSES },
};
