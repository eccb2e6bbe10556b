/**
 * `npm run range:publish -- --data DIR --bucket NAME [--dry-run] [--local DIR]`: upload a build to R2 (or any
 * S3-compatible store) with the contract's Cache-Control, buckets first and the manifest last.
 */
import { resolve } from 'node:path';
import {
  createPublishPlan,
  createR2BindingSink,
  createS3Sink,
  executePublishPlan,
  formatPublishPlan,
  type ObjectSink,
} from '../publish';
import { openLocalBucket } from '../worker/local';
import { parseCliArgs, parseIntegerFlag, runCli, UsageError } from './args';

const USAGE = `usage: npm run range:publish -- --data DIR --bucket NAME [--dry-run | --local DIR] [--concurrency N]

Checks a folder built by range:build against its SHA256SUMS and uploads it to the R2 bucket NAME:
every bucket (Cache-Control: public, max-age=31536000, immutable), then the version's SHA256SUMS and
manifest, and v1/manifest (Cache-Control: max-age=300) last, so clients never see a manifest whose
buckets are missing. Nothing is deleted; earlier versions stay until you remove them.
  --data DIR        built folder (manifest.json, SHA256SUMS, buckets/)
  --bucket NAME     R2 bucket name (wrangler.toml's bucket_name)
  --dry-run         print the exact upload plan and upload nothing
  --local DIR       publish into a local Miniflare R2 folder instead (serve it with
                    npm run range:serve:worker -- --r2-dir DIR --bucket NAME --key FILE)
  --concurrency N   bucket uploads at once (default 8)
Uploading to Cloudflare uses R2's S3 API with an R2 API token:
  R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY  (or S3_ENDPOINT for another S3-compatible store)`;

runCli(async () => {
  const args = parseCliArgs(
    {
      data: { type: 'string' },
      bucket: { type: 'string' },
      'dry-run': { type: 'boolean' },
      local: { type: 'string' },
      concurrency: { type: 'string' },
    },
    USAGE,
  );
  if (!args.data) throw new UsageError(`--data DIR is required\n\n${USAGE}`);
  if (!args.bucket) throw new UsageError(`--bucket NAME is required\n\n${USAGE}`);
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(args.bucket)) {
    throw new UsageError(`--bucket must be an R2 bucket name: 3-63 of a-z, 0-9 and - (got "${args.bucket}")`);
  }
  if (args['dry-run'] && args.local) throw new UsageError('give --dry-run or --local, not both');
  const concurrency = parseIntegerFlag(args.concurrency, 'concurrency', 1, 64) ?? 8;
  const plan = await createPublishPlan(resolve(args.data));

  let target: string;
  let sink: ObjectSink | undefined;
  let dispose = async () => {};
  if (args.local) {
    target = `local R2 bucket "${args.bucket}" in ${resolve(args.local)}`;
  } else {
    const endpoint =
      process.env.S3_ENDPOINT ??
      (process.env.R2_ACCOUNT_ID ? `https://${process.env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com` : undefined);
    target = `R2 bucket "${args.bucket}"${endpoint ? ` at ${endpoint}` : ''}`;
    if (!args['dry-run']) {
      const { R2_ACCESS_KEY_ID: accessKeyId, R2_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
      if (!endpoint || !accessKeyId || !secretAccessKey) {
        throw new UsageError(
          'set R2_ACCOUNT_ID (or S3_ENDPOINT), R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY to upload ' +
            '(an R2 API token with Object Read & Write on the bucket), or use --dry-run / --local',
        );
      }
      sink = createS3Sink({ endpoint, bucket: args.bucket, accessKeyId, secretAccessKey });
    }
  }

  if (args['dry-run']) {
    console.log(formatPublishPlan(plan, target));
    console.log('dry run: nothing uploaded');
    return;
  }
  if (args.local) {
    const local = await openLocalBucket({ r2Persist: resolve(args.local), bucket: args.bucket });
    sink = createR2BindingSink(local.bucket);
    dispose = local.dispose;
  }
  const started = performance.now();
  try {
    let lastReport = 0;
    await executePublishPlan(plan, sink as ObjectSink, {
      concurrency,
      onProgress(done, total) {
        const now = performance.now();
        if (done === total || now - lastReport > 2000) {
          lastReport = now;
          console.error(`uploaded ${done}/${total}`);
        }
      },
    });
  } finally {
    await dispose();
  }
  console.log(
    `published version ${plan.manifest.version} (${plan.objects.length} objects) to ${target} in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}, ['PublishError']);
