import type { BucketObject, ExportBucket } from '#core/daily-export/export-bucket.ts';
import type { ObjectSink } from '#core/daily-export/object-sink.ts';

/** An ExportBucket in memory: objects appear on close, like S3's multipart completion. */
export interface MemoryBucket extends ExportBucket {
  objects: Map<string, { body: string; contentType: string; lastModified: Date }>;
  /** Keys opened and not yet closed or aborted. */
  open_: Set<string>;
  /** Make writes to keys matching this fail. */
  failOn?: RegExp;
  text(key: string): string;
}

export function memoryBucket(name = 'memory-bucket'): MemoryBucket {
  const objects: MemoryBucket['objects'] = new Map();
  const openKeys = new Set<string>();
  const bucket: MemoryBucket = {
    name,
    objects,
    open_: openKeys,
    open(key, contentType) {
      let body = '';
      openKeys.add(key);
      const sink: ObjectSink = {
        write(chunk) {
          if (bucket.failOn?.test(key)) return Promise.reject(new Error(`write to ${key} failed`));
          body += chunk;
          return undefined;
        },
        async close() {
          openKeys.delete(key);
          if (bucket.failOn?.test(key)) throw new Error(`close of ${key} failed`);
          objects.set(key, { body, contentType, lastModified: new Date() });
          return { bytes: Buffer.byteLength(body) };
        },
        async abort() {
          openKeys.delete(key);
        },
      };
      return sink;
    },
    async *list(prefix) {
      for (const key of [...objects.keys()].sort()) {
        if (key.startsWith(prefix)) yield { key, lastModified: objects.get(key)!.lastModified } satisfies BucketObject;
      }
    },
    async *listChildren(prefix) {
      const seen = new Set<string>();
      for (const key of [...objects.keys()].sort()) {
        if (!key.startsWith(prefix)) continue;
        const slash = key.indexOf('/', prefix.length);
        if (slash >= 0) seen.add(key.slice(0, slash + 1));
      }
      yield* [...seen].sort();
    },
    async exists(key) {
      return objects.has(key);
    },
    async presignGet(key, expires) {
      return `memory://${name}/${key}?expires=${expires}`;
    },
    async delete(keys) {
      for (const key of keys) objects.delete(key);
    },
    text(key) {
      const object = objects.get(key);
      if (!object) throw new Error(`no object ${key}`);
      return object.body;
    },
  };
  return bucket;
}
