import { ContainerClient } from '@azure/storage-blob';
import { OwnTraces, PersonValues, ServiceExportSpace, statusCodeOf } from '../dsr';
import { ConversationStore } from './conversationStore';

/** Where RegisterPublisher writes the register CSVs in the exports container. */
export const REGISTER_PREFIX = 'register/';

/**
 * The bot's own traces of a person in its Storage account: the conversation reference, and the
 * blobs of the exports container. Export packages are found by their request's folder; register
 * CSVs name staff by name, so one names the person only when they acted as staff: each is read.
 * Also the service export places (`serviceExports`, the same the service export writes into, maybe
 * in another account) left behind by an export of theirs that failed or crashed before cleaning up.
 */
export class StorageOwnTraces implements OwnTraces {
  constructor(
    private readonly conversations: ConversationStore,
    private readonly exports: ContainerClient,
    private readonly serviceExports: ServiceExportSpace,
  ) {}

  hasConversation(aadObjectId: string, options: { fresh: boolean }): Promise<boolean> {
    return this.conversations.has(aadObjectId, options);
  }

  retireConversation(aadObjectId: string, requestId: string): Promise<boolean> {
    return this.conversations.retire(aadObjectId, requestId);
  }

  async filesAbout(person: PersonValues, requestIds: readonly string[]): Promise<string[]> {
    const names: string[] = [];
    for (const requestId of requestIds) {
      for await (const blob of this.exports.listBlobsFlat({ prefix: `${requestId}/` })) names.push(blob.name);
    }
    const values = [person.aadObjectId, person.upn, person.email, person.displayName].filter(Boolean).map((v) => v.toLowerCase());
    for await (const blob of this.exports.listBlobsFlat({ prefix: REGISTER_PREFIX })) {
      const text = (await this.exports.getBlobClient(blob.name).downloadToBuffer()).toString('utf8').toLowerCase();
      if (values.some((value) => text.includes(value))) names.push(blob.name);
    }
    return names;
  }

  async removeFile(name: string): Promise<boolean> {
    try {
      await this.exports.getBlobClient(name).delete();
      return true;
    } catch (error) {
      if (statusCodeOf(error) === 404) return false;
      throw error;
    }
  }

  async leftoverExportSpaces(requestIds: readonly string[]): Promise<string[]> {
    const left: string[] = [];
    for (const requestId of requestIds) if (await this.serviceExports.has(requestId)) left.push(requestId);
    return left;
  }

  removeExportSpace(requestId: string): Promise<boolean> {
    return this.serviceExports.remove(requestId);
  }
}
