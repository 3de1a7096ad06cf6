/**
 * Reads a history JSON file (as written by `temporal workflow show --output
 * json` or the Web UI) into the proto object the replayer takes. The SDK's own
 * historyFromJSON fails here: npm installed two copies of protobufjs
 * (under @temporalio/common and @temporalio/proto) and the converter of one
 * rejects the message types of the other, so we use @temporalio/proto's copy
 * for both.
 */
import { createRequire } from 'node:module';
import type { temporal } from '@temporalio/proto';

const requireHere = createRequire(import.meta.url);
const requireFromProto = createRequire(requireHere.resolve('@temporalio/proto'));

interface ProtoJson {
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
const { fromJson } = requireFromProto('protobufjs/ext/protojson') as ProtoJson;
const { patchProtobufRoot } = requireFromProto('@temporalio/proto/lib/patch-protobuf-root') as {
  patchProtobufRoot<T>(root: T): T & { lookupType(name: string): unknown };
};
const historyType = patchProtobufRoot(requireFromProto('@temporalio/proto') as object).lookupType('temporal.api.history.v1.History');

export function historyFromJsonText(text: string): temporal.api.history.v1.IHistory {
  const history = fromJson(historyType, JSON.parse(text), { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a Temporal history');
  return history as temporal.api.history.v1.IHistory;
}
